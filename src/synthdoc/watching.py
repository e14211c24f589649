"""``synthdoc watch``: rebuild what changed whenever the project's files settle; optionally serve the HTML."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from . import console
from .diagnostics import SynthdocError

if TYPE_CHECKING:
    from .build import Output

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
    root, output = root.resolve(), output.resolve()

    def accept(_change: object, path: str) -> bool:
        p = Path(path)
        resolved = p.resolve()
        try:
            rel = resolved.relative_to(root)
        except ValueError:
            return False
        if resolved == output or output in resolved.parents:
            return False
        if any(part in IGNORED_DIRS for part in rel.parts):
            return False
        name = p.name
        return not (name.startswith(".#") or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913")

    return accept


class _Server:
    """The HTML outputs on localhost; pages reload themselves after each rebuild."""

    def __init__(self, output: Path, port: int):
        self.version = 0
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(output), **kwargs)

            def log_message(self, *args) -> None:  # keep the terminal for build messages
                pass

            def do_GET(self) -> None:
                if self.path == "/__synthdoc_build":
                    return self._send(str(server.version).encode(), "text/plain")
                if self.path in ("/", ""):
                    pages = sorted(p.name for p in output.glob("*.html"))
                    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in pages)
                    return self._send(f"<!DOCTYPE html><ul>{links}</ul>".encode() + RELOAD_SCRIPT, "text/html")
                target = (output / self.path.lstrip("/").split("?")[0]).resolve()
                if target.suffix == ".html" and target.parent == output.resolve() and target.is_file():
                    body = target.read_bytes()
                    at = body.rfind(b"</body>")
                    body = body[:at] + RELOAD_SCRIPT + body[at:] if at >= 0 else body + RELOAD_SCRIPT
                    return self._send(body, "text/html; charset=utf-8")
                return super().do_GET()

            def _send(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def reload(self) -> None:
        """Make the open pages reload: an HTML file was written again."""
        self.version += 1

    def close(self) -> None:
        self.httpd.shutdown()


def rebuild(config: Path, names: tuple[str, ...], on_html: Callable[[], None] | None = None) -> bool:
    """One build, its diagnostics printed; False when it failed (the previous outputs stay). Each
    document's HTML is written before its DOCX and PDF, and ``on_html`` is called as each one is."""
    from .build import build
    from .project import load_project

    def written(output: Output) -> None:
        if output.format == "html" and on_html:
            on_html()

    try:
        result = build(load_project(config), names, report=console.say, first=("html",), on_output=written)
    except SynthdocError as exc:
        console.print_diagnostics(exc.diagnostics)
        console.say(f"build failed: {console.summary(exc.diagnostics)}; previous outputs are unchanged; "
                    "still watching")
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
        exists = Path(path).exists()
        if not exists and "added" in seen:
            continue  # an editor's or a tool's temporary file
        rel = Path(path).resolve().relative_to(root.resolve()) if Path(path).is_absolute() else Path(path)
        shown.append(f"{rel}{'' if exists else ' (deleted)'}")
    return ", ".join(shown) or "(temporary files only)"


def watch(config: Path, names: tuple[str, ...] = (), serve: bool = False, port: int = 8000,
          changes: Iterator[set[tuple[object, str]]] | None = None) -> None:
    """Build, then rebuild after each settled batch of changes, until Ctrl-C."""
    import watchfiles

    from .project import load_project

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
