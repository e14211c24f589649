"""``synthdoc watch``: rebuild what changed whenever the project's files settle; optionally serve the HTML."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from ..core import console
from ..core.diagnostics import SynthdocError
from ..core.files import read_input
from ..core.paths import resolved, shown_path

if TYPE_CHECKING:
    from .pipeline import Output

IGNORED_DIRS = {".synthdoc", ".git", ".venv", "venv", "__pycache__", ".pytest_cache", "node_modules"}

RELOAD_SCRIPT = b"""<script>
(function () {
  var seen = null;
  setInterval(function () {
    fetch('/__synthdoc_build').then(function (r) { return r.text(); }).then(function (v) {
      if (seen === null) { seen = v; } else if (v !== seen) { location.reload(); }
    }).catch(function () {});
  }, 1000);
})();
</script>
"""


def watch_filter(root: Path, output: Path) -> Callable[[object, str], bool]:
    """Changes that matter: anything in the project except outputs, synthdoc's own files and editor litter."""
    root, output = resolved(root), resolved(output)

    def accept(_change: object, path: str) -> bool:
        p = Path(path)
        where = resolved(p)
        try:
            rel = where.relative_to(root)
        except ValueError:
            return False
        if where == output or output in where.parents:
            return False
        if any(part in IGNORED_DIRS for part in rel.parts):
            return False
        name = p.name
        return not (name.startswith(".#") or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913")

    return accept


# What --serve serves: a plain file name directly in output/ (no folder, no hidden file, no NUL).
_SERVED_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf", ".md": "text/markdown; charset=utf-8",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
IDLE_SECONDS = 15


class _Server:
    """The outputs on localhost; HTML pages reload themselves after each rebuild.

    Only regular files directly in ``output/`` are served, never through a link; a request whose Host is
    not this address (a web page elsewhere, through DNS rebinding) is refused; idle connections close."""

    def __init__(self, output: Path, port: int):
        self.version = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            timeout = IDLE_SECONDS

            def handle_one_request(self) -> None:
                # The socket's timeout closes a connection that sends nothing for IDLE_SECONDS, but not one
                # that sends a byte now and then (slowloris): the request line and headers must have come
                # whole within IDLE_SECONDS, or the connection is cut.
                self._deadline = threading.Timer(IDLE_SECONDS, self._cut)
                self._deadline.daemon = True
                self._deadline.start()
                try:
                    super().handle_one_request()
                finally:
                    self._deadline.cancel()

            def parse_request(self) -> bool:
                ok = super().parse_request()  # reads the headers
                self._deadline.cancel()
                return ok

            def _cut(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            def log_message(self, *args: object) -> None:  # keep the terminal for build messages
                pass

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                if self.headers.get("Host", "").lower() not in server.hosts:
                    return self._send(b"wrong host", "text/plain", 421)
                path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
                if path == "/__synthdoc_build":
                    return self._send(str(server.version).encode(), "text/plain")
                if path in ("/", ""):
                    pages = sorted(p.name for p in output.glob("*.html") if _served(p) is not None)
                    links = "".join(f'<li><a href="{quote(p)}">{escape(p)}</a></li>' for p in pages)
                    return self._send(f"<!DOCTYPE html><ul>{links}</ul>".encode() + RELOAD_SCRIPT, "text/html")
                name = path.removeprefix("/")
                body = _served(output / name) if _SERVED_NAME.fullmatch(name) else None
                if body is None:
                    return self._send(b"not found", "text/plain", 404)
                suffix = Path(name).suffix.lower()
                if suffix == ".html":
                    at = body.rfind(b"</body>")
                    body = body[:at] + RELOAD_SCRIPT + body[at:] if at >= 0 else body + RELOAD_SCRIPT
                return self._send(body, _TYPES.get(suffix, "application/octet-stream"))

            def _send(self, body: bytes, kind: str, status: int = 200) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

        class Quiet(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a closed connection or a broken pipe is the browser's business, not a traceback

        self.httpd = Quiet(("127.0.0.1", port), Handler)
        bound = self.httpd.server_address[1]
        self.hosts = {f"{host}:{bound}" for host in ("127.0.0.1", "localhost")}
        self.url = f"http://127.0.0.1:{bound}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def reload(self) -> None:
        """Make the open pages reload: an HTML file was written again."""
        self.version += 1

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _served(path: Path) -> bytes | None:
    """The bytes of a regular file that is not a link; None for anything else."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return read_input(path, path.name, "an output", root=path.parent)
    except (OSError, SynthdocError):
        return None


def rebuild(config: Path, names: tuple[str, ...], on_html: Callable[[], None] | None = None) -> bool:
    """One build, its diagnostics printed; False when it failed (the previous outputs stay). Each
    document's HTML is written before its DOCX and PDF, and ``on_html`` is called as each one is."""
    from ..core.project import load_project
    from .pipeline import build

    previews: list[Path] = []  # put in place before the rest was made

    def written(output: Output) -> None:
        previews.append(output.path)
        if output.format == "html" and on_html:
            on_html()

    try:
        project = load_project(config)
        result = build(project, names, report=console.say, first=("html",), on_output=written)
    except SynthdocError as exc:
        unchanged = "previous outputs are unchanged"
        if previews:  # the preview shows the new text: only the other outputs stayed as they were
            replaced = ", ".join(shown_path(p, project.root) for p in previews)
            unchanged = f"{replaced} {'was' if len(previews) == 1 else 'were'} replaced by the new preview; the " \
                        "other outputs are unchanged"
            exc = SynthdocError([dataclasses.replace(d, message=d.message.replace(
                "previous outputs are unchanged", "the other outputs are unchanged")) for d in exc.diagnostics])
        console.print_diagnostics(exc.diagnostics)
        console.say(f"build failed: {console.summary(exc.diagnostics)}; {unchanged}; still watching")
        return False
    except Exception as exc:  # a bug in synthdoc: say so, as the CLI's guard does, and keep watching
        if os.environ.get("SYNTHDOC_DEBUG"):
            raise
        console.say(f"{console.internal_error(exc)} Still watching.")
        return False
    console.print_diagnostics([d for d in result.diagnostics if d.severity.value == "error"])
    for change in result.changes:
        console.say(f"{change.document}: {change.summary()}")
    if result.outputs:
        console.say(f"rebuilt {len(result.outputs)} file(s); {len(result.up_to_date)} up to date")
    else:
        console.say("nothing to rebuild: the outputs do not depend on what changed")
    return True


def describe(batch: set[tuple[object, str]], root: Path) -> str:
    """The files of a batch of changes, relative to the project; files that came and went are left out."""
    kinds: dict[str, set[str]] = {}
    for change, path in batch:
        kinds.setdefault(path, set()).add(getattr(change, "name", str(change)))
    shown = []
    for path, seen in sorted(kinds.items()):
        exists = os.path.lexists(path)  # a link that leads nowhere (or to itself) is there, and said so
        if not exists and "added" in seen:
            continue  # an editor's or a tool's temporary file
        rel = _relative(Path(path), root)
        shown.append(f"{rel}{'' if exists else ' (deleted)'}")
    return ", ".join(shown) or "(temporary files only)"


def _relative(path: Path, root: Path) -> Path | str:
    """``path`` as the watcher names it, relative to the project (the link itself, not where it leads)."""
    for base in (root, resolved(root)):
        if path.is_relative_to(base):
            return path.relative_to(base)
    return shown_path(path, root)


def watch(config: Path, names: tuple[str, ...] = (), serve: bool = False, port: int = 8000,
          changes: Iterator[set[tuple[object, str]]] | None = None) -> None:
    """Build, then rebuild after each settled batch of changes, until Ctrl-C."""
    import watchfiles

    from ..core.project import load_project

    project = load_project(config)
    rebuild(config, names)
    server = _Server(project.output, port) if serve else None
    if server:
        console.say(f"serving {project.output.name}/ at {server.url} (pages reload after each rebuild)")
    console.say(f"watching {project.root} for changes; Ctrl-C to stop")
    stream = changes if changes is not None else watchfiles.watch(
        project.root, watch_filter=watch_filter(project.root, project.output), debounce=600, step=50,
        raise_interrupt=False)
    try:
        for batch in stream:
            console.say(f"changed: {describe(batch, project.root)}")
            rebuild(config, names, on_html=server.reload if server else None)
    except KeyboardInterrupt:
        pass
    finally:
        if server:
            with contextlib.suppress(Exception):
                server.close()
        console.say("stopped watching")
