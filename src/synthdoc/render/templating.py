"""Templates: sandboxed Jinja, a project's ``templates/`` over the built-in ones, errors with file and line."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import json
import operator
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import GeneratorType
from typing import Any, TypeVar

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.loaders import split_template_path
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment, SecurityError, modifies_known_mutable

from ..core.cache import content_key
from ..core.diagnostics import SynthdocError
from ..core.files import atomic_write, read_input, read_record
from ..core.paths import resolved
from ..core.project import BUILTIN_TEMPLATES
from ..core.schema import did_you_mean
from . import figures, markdown, prose, tables
from .citations import cite, cited_keys

MAX_TEMPLATE_BYTES = 1_000_000  # one template file
MAX_OUTPUT_CHARS = 50_000_000  # what one document's template may write
MAX_SEQUENCE = 1_000_000  # the longest text or list a template may make with *, + or ~ (or number with **)
# The most items (and characters of their texts) a list, tuple or dict may hold, counted as Python compares,
# sorts, hashes or prints it: a list made of two references to the list before it, 64 times, is small in
# memory but 2^64 items there, in one C call that the time limit cannot interrupt.
MAX_WEIGHT = 10_000_000
RENDER_SECONDS = 120.0  # a template still running after this is stopped

T = TypeVar("T")


class _Loader(jinja2.BaseLoader):
    """Templates from the project's ``templates/`` (then the built-in ones): only regular files inside that
    folder, at most MAX_TEMPLATE_BYTES, UTF-8. A link that leads out, a pipe or a device is an error."""

    def __init__(self, folders: list[Path]):
        self.folders = folders

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            shown = _shown(str(path), template, self.folders[0], "templates")
            try:
                os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:  # never the built-in template in place of one the project's folder hides
                raise SynthdocError.single(shown, f"cannot read the templates folder: {exc.strerror}",
                                           "file-unreadable") from None
            raw = read_input(path, shown, "a template", root=folder, limit=MAX_TEMPLATE_BYTES)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise SynthdocError.single(shown, "the template is not UTF-8 text; save it as UTF-8",
                                           "template-encoding", raw.count(b"\n", 0, exc.start) + 1) from None
            return text, str(path), lambda: True  # an environment lives for one rendering
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.folders:
            for base, _dirs, files in os.walk(folder):  # links to folders are not followed
                for name in files:
                    found.add((Path(base) / name).relative_to(folder).as_posix())
        return sorted(found)


_COMPARING = {"index", "count", "remove", "sort"}  # a list's methods that compare its items
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge, "lt": operator.lt,
    "lteq": operator.le, "in": lambda a, b: a in b, "notin": lambda a, b: a not in b}


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, with ``a ~ b`` (which Jinja joins in place), comparisons and the keys of dict
    literals going through the environment, which first weighs the lists they compare or hash."""

    def visit_Compare(self, node: nodes.Compare, frame: Frame) -> None:
        self.write("environment.call_compare(")
        self.visit(node.expr, frame)
        for op in node.ops:
            self.write(f", ({op.op!r}, ")
            self.visit(op.expr, frame)
            self.write(")")
        self.write(")")

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self.write("{")
        for idx, item in enumerate(node.items):
            if idx:
                self.write(", ")
            self.write("environment.bounded(")
            self.visit(item.key, frame)
            self.write("): ")
            self.visit(item.value, frame)
        self.write("}")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.call_concat(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _too_long(what: str) -> SecurityError:
    return SecurityError(f"a template may not {what} to more than {MAX_SEQUENCE:,} items")


class _Environment(SandboxedEnvironment):
    """Jinja's sandbox, with ``*``, ``**``, ``+`` and ``~`` unable to make a text, list or number that fills the
    memory (a text doubled 31 times with ``~`` is 2 billion characters)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CodeGenerator
    given: frozenset[int] = frozenset()  # the lists, dicts and sets synthdoc gave this rendering (by id)

    def __init__(self, **options: Any):
        super().__init__(finalize=lambda value: self.bounded(value), **options)
        self.weights: dict[int, int] = {}  # what synthdoc gives, weighed once (templates cannot change it)

    def weigh_arguments(self) -> None:
        """Every filter and test (Jinja's and synthdoc's) weighs its values first."""
        for table in (self.filters, self.tests):
            for name, function in list(table.items()):
                table[name] = self._weighing(function)

    def _weighing(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """A filter or test whose values are weighed first (``sort``, ``unique``, ``tojson``, ``string`` …)."""
        @functools.wraps(function)  # keeps Jinja's pass_context / pass_environment marks
        def weighed(*args: Any, **kwargs: Any) -> Any:
            for value in (*args, *kwargs.values()):
                self.bounded(value)
            return function(*args, **kwargs)
        return weighed

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """A template changes the lists and dicts it made (``{% set _ = rows.append(row) %}``), never one synthdoc
        gave it: a claim's ``says`` updated by one document's template would be what the next one prints."""
        if id(obj) in self.given and modifies_known_mutable(obj, attr):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def bounded(self, value: Any) -> Any:
        """``value``, once weighed: a list, tuple or dict that is too heavy to compare, sort, hash or print
        within the limits is refused (a template's own structures; what synthdoc gives is weighed once)."""
        if isinstance(value, list | tuple | dict | set | frozenset) and _weight(value, self.weights) > MAX_WEIGHT:
            raise SecurityError(f"a template may not compare, sort, hash or print a list or dict of more than "
                                f"{MAX_WEIGHT:,} items counted with the lists inside it (a list made of the list "
                                "before it, again and again?)")
        return value

    def call_compare(self, left: Any, *pairs: tuple[str, Any]) -> Any:
        result: Any = True
        self.bounded(left)
        for op, right in pairs:
            result = _COMPARE[op](left, self.bounded(right))
            if not result:
                return result
            left = right
        return result

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None) if getattr(__obj, "__name__", "") in _COMPARING else None
        for value in (owner, *args, *kwargs.values()):
            self.bounded(value)
        return super().call(__context, __obj, *args, **kwargs)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return super().getitem(obj, self.bounded(argument))

    def call_concat(self, context: Any, parts: tuple[Any, ...]) -> str:
        texts = [str(self.bounded(part)) for part in parts]
        if sum(map(len, texts)) > MAX_SEQUENCE:
            raise _too_long("join texts with ~")
        return (markup_join if context.eval_ctx.autoescape else str_join)(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            self.bounded(left)
            self.bounded(right)
        if operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple) \
                and len(left) + len(right) > MAX_SEQUENCE:
            raise _too_long("join texts or lists with +")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_SEQUENCE:
                    raise SecurityError(f"a template may not repeat a text or list to more than {MAX_SEQUENCE:,} items")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
                and abs(left).bit_length() * right > 4096:
            raise SecurityError("a template may not raise a number to so high a power")
        return super().call_binop(context, operator, left, right)


class _Timeout(BaseException):
    """Raised inside a template that ran too long (a BaseException: nothing in Jinja catches it)."""


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process, by their name, file and text (Jinja checks the text's checksum
    before it uses one): check, the build and watch's rebuilds each make an environment, and parsing the
    built-in templates again each time took a third of the example's check. The built-in templates are kept
    compiled between processes too (:func:`_kept`), as Python keeps the package's modules compiled."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = super().get_cache_key(name, filename)
        return f"{_BUILTIN}{key}" if filename is not None and _is_builtin(filename) else key

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self.lock:
            code = self.kept.get(bucket.key)
        if code is None and bucket.key.startswith(_BUILTIN):
            with contextlib.suppress(OSError):
                code = _kept(bucket.key).read_bytes()
        if code is not None:
            try:
                bucket.bytecode_from_string(code)  # nothing, when made from another text or by another Python
            except Exception:  # a kept file cut short or spoilt (Jinja unpickles its checksum): compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self.lock:
            if len(self.kept) > 256:  # bounded: a long watch session over edited templates
                self.kept.clear()
            self.kept[bucket.key] = code
        if bucket.key.startswith(_BUILTIN):
            _keep(_kept(bucket.key), code)


# The built-in templates compiled, and what each includes or imports (by its text), kept in the package's own
# __pycache__ folder, under the code that compiles them: this stage's modules (the code generator and sandbox here,
# the filters and globals, whose arguments Jinja fixes when it compiles), Jinja and Python. A first build in a new
# project compiles and parses none of them.
_BUILTIN = "builtin-"
_KEEP = Path(__file__).resolve().parent.parent / "__pycache__" / "templates"


def _is_builtin(filename: str) -> bool:
    return Path(filename).parent == BUILTIN_TEMPLATES


@functools.cache
def _compiler_identity() -> str:
    stats = [(m.name, m.stat()) for m in sorted(Path(__file__).parent.glob("*.py"))]  # as quickcheck's identity
    return content_key(Path(__file__).read_bytes(), jinja2.__version__, sys.version,
                       *(f"{name} {st.st_size} {st.st_mtime_ns}" for name, st in stats))


def _kept(key: str) -> Path:
    return _KEEP / f"{key}-{_compiler_identity()}"


def _keep(path: Path, data: bytes) -> None:
    """Keep ``data`` (a cache): a package that cannot be written to compiles and parses each time instead."""
    with contextlib.suppress(SynthdocError, OSError):
        atomic_write(path, data, durable=False)


_COMPILED = _CompiledTemplates()


def environment(project_templates: Path | None) -> SandboxedEnvironment:
    """A sandboxed environment: templates can arrange data, never read files or reach Python internals."""
    # A templates link that leads nowhere readable (one pointing at itself) stays, for the loader to say so.
    folders = [p for p in (project_templates, BUILTIN_TEMPLATES) if p is not None and (p.is_dir() or p.is_symlink())]
    env = _Environment(
        loader=_Loader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
    )
    env.filters["cite"] = lambda views, lang: cite([v.claim for v in views], lang)
    env.filters["with_citation"] = markdown.with_citation
    env.filters["without_end"] = markdown.without_end
    env.filters["literal"] = markdown.literal
    env.filters["inline"] = markdown.inline
    env.filters["provenance"] = _provenance
    # table(header, rows[, widths]): a table no cell text can break (grid_table: its former name).
    env.globals["table"] = env.globals["grid_table"] = tables.table_markup
    # figure(name): where a figure the project draws stands (figures.place makes it for each format).
    env.globals["figure"] = figures.figure_markup
    env.filters["number_word"] = prose.number_word
    env.filters["ordinal"] = prose.ordinal
    env.weigh_arguments()
    return env


def _provenance(text: str, claims: object) -> str:
    from .synthesis import provenance

    views = list(claims) if isinstance(claims, list | tuple) else [claims]
    return provenance(text, views)


def written_citations(names: Iterator[str] | list[str], project_templates: Path | None) -> set[str]:
    """The keys templates cite in their own text (``[@smith2020]``), in the files ``names`` are made of:
    the entries a library is read for beside those claims cite."""
    keys: set[str] = set()
    for name in dict.fromkeys(names):
        try:
            files = template_files(name, project_templates)
        except SynthdocError:
            continue  # a template that cannot be read has its own error, reported by check with the others
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # a missing or unreadable template has its own error
            keys.update(cited_keys(text))
    return keys


def template_files(name: str, project_templates: Path | None) -> list[Path]:
    """The files a template is rendered from: itself and every template it includes, imports or extends."""
    env = environment(project_templates)
    seen: dict[str, Path] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        try:
            source, filename, _ = env.loader.get_source(env, current)
            refs = _references(env, source, filename is not None and _is_builtin(filename))
        except jinja2.TemplateError:
            seen[current] = Path(f"<missing {current}>")
            continue
        seen[current] = Path(filename or current)
        todo += [r for r in refs if isinstance(r, str)]
    return [seen[k] for k in sorted(seen)]


_REFERENCES: dict[str, tuple[str, ...]] = {}


def _references(env: SandboxedEnvironment, source: str, builtin: bool = False) -> tuple[str, ...]:
    """The templates a template's text includes, imports or extends (parsed once per text and process; of a
    ``builtin`` template, kept between processes beside its compiled code)."""
    from jinja2 import meta

    found = _REFERENCES.get(source)
    if found is None:
        kept = _kept(f"{_BUILTIN}references-{content_key(source)}") if builtin else None
        if kept is not None:
            found = _read_references(kept)
        if found is None:
            found = tuple(r for r in meta.find_referenced_templates(env.parse(source)) if isinstance(r, str))
            if kept is not None:
                _keep(kept, json.dumps(found).encode("utf-8"))
        if len(_REFERENCES) > 256:
            _REFERENCES.clear()
        _REFERENCES[source] = found
    return found


def _read_references(path: Path) -> tuple[str, ...] | None:
    found = read_record(path)
    return tuple(found) if isinstance(found, list) and all(isinstance(r, str) for r in found) else None


def template_names(project_templates: Path | None) -> list[str]:
    return sorted(environment(project_templates).list_templates(extensions=["j2"]))


def render(name: str, context: dict[str, Any], project_templates: Path | None, shown_dir: str = "templates") -> str:
    """Render template ``name``; any template error becomes a diagnostic naming the template and line."""
    env, template = _loaded(name, project_templates, shown_dir)
    _give(env, context)
    with _diagnosed(env, template, name, context, project_templates, shown_dir):
        text = within(RENDER_SECONDS, lambda: _joined(template.generate(context)))
        _refuse_metadata(text, _shown(template.filename, name, project_templates, shown_dir))
        return text


def render_traced(name: str, context: dict[str, Any], project_templates: Path | None) -> list[tuple[str, str, int]]:
    """What template ``name`` writes, piece by piece, each piece with the template file (as shown) and line that
    wrote it; within the limits of :func:`render` (time, output size), with the same diagnostics."""
    env, template = _loaded(name, project_templates, "templates")
    _give(env, context)
    with _diagnosed(env, template, name, context, project_templates, "templates"):
        return within(RENDER_SECONDS, lambda: _traced(template, context, project_templates))


_IMMUTABLE = (str, bytes, int, float, complex, bool, type(None), Path)
_CONTAINERS = (list, tuple, dict, set, frozenset)


def _give(env: SandboxedEnvironment, context: dict[str, Any]) -> None:
    """Tell ``env`` what synthdoc gives this rendering: what a template may read but not change, and the weight
    of each list and dict in it (bounded by the project's files; weighed once, not at each use)."""
    containers = _reachable(context)
    if isinstance(env, _Environment):
        env.given = frozenset(i for i, value in containers.items() if isinstance(value, list | dict | set))
        env.weights = {}
        for value in containers.values():
            _weight(value, env.weights, remember=True)


def _reachable(context: dict[str, Any]) -> dict[int, Any]:
    """Every list, tuple, dict and set reachable from ``context`` through mappings, sequences, sets and the
    fields of dataclasses (every value synthdoc gives a template is one), by id."""
    seen: set[int] = set()
    found: dict[int, Any] = {}
    todo: list[Any] = list(context.values())
    while todo:
        value = todo.pop()
        if isinstance(value, _IMMUTABLE) or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, _CONTAINERS):
            found[id(value)] = value
        if isinstance(value, Mapping):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, _CONTAINERS):
            todo.extend(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            todo.extend(getattr(value, f.name) for f in dataclasses.fields(value))
    return found


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value.keys()
        yield from value.values()
    else:
        yield from value


def _weight(root: Any, known: dict[int, int], remember: bool = False) -> int:
    """How many items (and characters of texts) ``root`` holds when every list inside it is counted each time
    it appears — what comparing, sorting, hashing or printing it walks — in time that grows with the lists
    that exist, not with that count. ``known`` holds weights already counted (what synthdoc gives; with
    ``remember``, what is counted here joins it), and the count stops just above :data:`MAX_WEIGHT`."""
    memo: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in memo or key in known:
            continue
        if not done:
            if key in open_:
                continue  # a list that holds itself: Python prints it as [...] and compares it to a RecursionError
            open_.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node)
                         if isinstance(child, _CONTAINERS) and id(child) not in memo and id(child) not in known)
            continue
        total = 1
        for child in _children(node):
            if isinstance(child, str):
                total += len(child)
            elif isinstance(child, _CONTAINERS):
                total += memo.get(id(child)) or known.get(id(child)) or 1
            else:
                total += 1
            if total > MAX_WEIGHT:
                break
        memo[key] = min(total, MAX_WEIGHT + 1)
        open_.discard(key)
    if remember:
        known.update(memo)
    return memo.get(id(root)) or known.get(id(root)) or 1


def _traced(template: jinja2.Template, context: dict[str, Any], project_templates: Path | None
            ) -> list[tuple[str, str, int]]:
    """Read from the rendering generator's frame, which Jinja maps back to its template."""
    gen = template.root_render_func(template.new_context(context))
    out, size = [], 0
    for chunk in gen:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError(f"the template wrote more than {MAX_OUTPUT_CHARS:,} characters")
        frame = _innermost(gen)
        owner = frame.f_globals.get("__jinja_template__") if frame is not None else None
        if owner is not None:
            line = owner.get_corresponding_lineno(frame.f_lineno)
            out.append((str(chunk), shown_template(owner.filename, owner.name, project_templates), line))
    return out


def _innermost(gen: Any) -> Any:
    frame = None
    while isinstance(gen, GeneratorType) and gen.gi_frame is not None:
        frame = gen.gi_frame
        gen = gen.gi_yieldfrom
    return frame


def _loaded(name: str, project_templates: Path | None, shown_dir: str
            ) -> tuple[SandboxedEnvironment, jinja2.Template]:
    env = environment(project_templates)
    try:
        return env, env.get_template(name)
    except jinja2.TemplateNotFound:
        known = ", ".join(template_names(project_templates)) or "none"
        raise SynthdocError.single(Path(shown_dir, name), f"template '{name}' not found in {shown_dir}/ nor among "
                                   f"the built-in templates ({known})", "template-missing") from None
    except jinja2.TemplateSyntaxError as exc:
        shown = _shown(exc.filename, name, project_templates, shown_dir)
        message, line = _syntax_problem(env, exc)
        raise SynthdocError.single(shown, message, "template-syntax", line) from None


@contextlib.contextmanager
def _diagnosed(env: SandboxedEnvironment, template: jinja2.Template, name: str, context: dict[str, Any],
               project_templates: Path | None, shown_dir: str) -> Iterator[None]:
    """A template's failure while it runs, as a diagnostic at its file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:  # in a template it includes or imports
        message, line = _syntax_problem(env, exc)
        raise SynthdocError.single(_shown(exc.filename, name, project_templates, shown_dir), message,
                                   "template-syntax", line) from None
    except _Timeout:
        filename, line = _template_frame(sys.exc_info()[2], template.filename)
        raise SynthdocError.single(_shown(filename, name, project_templates, shown_dir),
                                   f"the template was still running after {RENDER_SECONDS:.0f} s (a loop without "
                                   "end?) and was stopped", "template-timeout", line) from None
    except (jinja2.UndefinedError, SecurityError, jinja2.TemplateError, TypeError, ValueError,
            AttributeError, LookupError, ArithmeticError, RecursionError, MemoryError) as exc:
        filename, line = _template_frame(sys.exc_info()[2], template.filename)
        raise SynthdocError.single(_shown(filename, name, project_templates, shown_dir),
                                   _render_problem(exc, context, shown_dir), "template-error", line) from None


# What a template author calls each value a template receives, for messages.
_NOUNS = {"ClaimView": "a claim", "PointView": "a point", "ThemeView": "a theme", "ContrastView": "a contrast",
          "ActorView": "an actor", "SourceView": "a source", "MatrixRow": "a matrix row", "Document": "the document",
          "Claim": "a claim's data (claim.claim)", "Selection": "a document's select", "Locator": "a locator"}
_OBJECT_ATTRIBUTE = re.compile(r"^'(?:[\w.]+\.)?(\w+) object' has no attribute '(.+)'$")
_UNDEFINED_NAME = re.compile(r"^'(.+)' is undefined$")
_NO_ELEMENT = re.compile(r"^'?(\w+) object'? has no element (.+)$")


def _render_problem(exc: BaseException, context: dict[str, Any], shown_dir: str) -> str:
    """A template error worded for the person who wrote the template: what is missing, and what there is."""
    message = str(exc)
    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {message}"
    if isinstance(exc, RecursionError):
        return "the template calls itself without end (a macro, include or import that never stops)"
    if isinstance(exc, MemoryError):
        return "the template made more text than fits in memory"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template '{exc.name}' (included, imported or extended) not found in {shown_dir}/ nor built in"
    if m := _UNDEFINED_NAME.match(message):
        return (f"'{m.group(1)}' is not something a template receives{did_you_mean(m.group(1), context)}; "
                f"it receives {', '.join(sorted(context))}")
    if m := _OBJECT_ATTRIBUTE.match(message):
        kind, name = m.groups()
        if kind in _NOUNS:
            names = _attributes(kind)
            return f"{_NOUNS[kind]} has no '{name}'{did_you_mean(name, names)}; it has {', '.join(names)}"
        if kind == "dict":
            return f"there is no '{name}' here{did_you_mean(name, _mapping_keys(context))}"
        return f"{kind} has no attribute '{name}'"
    if m := _NO_ELEMENT.match(message):
        return f"the list has no item {m.group(2)}"
    return f"template error: {message}"


def _attributes(kind: str) -> list[str]:
    """The public fields and properties of a value a template receives."""
    from ..core import project
    from ..sources import claims
    from . import synthesis

    for module in (synthesis, claims, project):
        cls = getattr(module, kind, None)
        if cls is not None and dataclasses.is_dataclass(cls):
            names = {f.name for f in dataclasses.fields(cls)}
            names |= {n for n, v in vars(cls).items() if isinstance(v, property)}
            return sorted(n for n in names if not n.startswith("_"))
    return []


def _mapping_keys(context: dict[str, Any]) -> list[str]:
    return [str(k) for v in context.values() if isinstance(v, dict) for k in v]


_BLOCKS = {"for", "if", "macro", "call", "filter", "block", "with", "autoescape", "set", "raw"}


def _syntax_problem(env: jinja2.Environment, exc: jinja2.TemplateSyntaxError) -> tuple[str, int]:
    """A syntax error's message and line; an unclosed block is reported where it opens."""
    if exc.source is not None and "Unexpected end of template" in (exc.message or ""):
        opened = _unclosed_block(env, exc.source)
        if opened is not None:
            tag, line = opened
            return (f"the {{% {tag} %}} block opened here is never closed: add {{% end{tag} %}} where it ends",
                    line)
    return f"template syntax error: {exc.message}", exc.lineno or 1


def _unclosed_block(env: jinja2.Environment, source: str) -> tuple[str, int] | None:
    """The innermost block tag of ``source`` left open at its end, and its line."""
    stack: list[tuple[str, int]] = []
    tag: tuple[str, int] | None = None  # the tag being read, until its %}
    expect = False
    try:
        for line, kind, value in env.lex(source):
            if kind == "block_begin":
                expect, tag = True, None
            elif kind == "name" and expect:
                expect = False
                if value in _BLOCKS:
                    tag = (value, line)
                elif value.startswith("end") and stack and stack[-1][0] == value[3:]:
                    stack.pop()
            elif kind == "operator" and value == "=" and tag and tag[0] == "set":
                tag = None  # {% set x = ... %} is not a block
            elif kind == "block_end":
                if tag:
                    stack.append(tag)
                expect, tag = False, None
    except jinja2.TemplateSyntaxError:
        return None
    return stack[-1] if stack else None


# A pandoc YAML metadata block: "---" at the start or after a blank line, and text right below it.
_METADATA_BLOCK = re.compile(r"(?:\A|\n[ \t]*\n)---[ \t]*\n(?=[ \t]*\S)")


def _refuse_metadata(text: str, shown: str) -> None:
    """A template writes the document's text, never pandoc's metadata: a metadata block could name a stylesheet
    on another site (css:), a file for pandoc to read (citation-abbreviations:) or raw header content."""
    m = _METADATA_BLOCK.search(text)
    if m:
        line = text.count("\n", 0, m.end())
        raise SynthdocError.single(shown, f"the template writes a YAML metadata block ('---' with text right "
                                   f"below it, line {line} of the document it makes); synthdoc sets the metadata "
                                   "itself. For a horizontal rule leave a blank line after ---", "template-metadata")


def _joined(chunks: Iterator[str]) -> str:
    out, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError(f"the template wrote more than {MAX_OUTPUT_CHARS:,} characters")
        out.append(chunk)
    return "".join(out)


def within(seconds: float, work: Callable[[], T]) -> T:
    """``work()``, stopped with :class:`_Timeout` raised in its thread when it runs longer than ``seconds``.

    Jinja runs a template as Python code in this thread, so a loop without end is interrupted the way
    CPython lets one thread stop another: an exception set to arrive at its next instruction."""
    thread = threading.get_ident()
    guard = threading.Lock()
    done = [False]

    def stop() -> None:
        with guard:
            if not done[0]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(_Timeout))

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        return work()
    finally:
        with guard:
            done[0] = True
        timer.cancel()


def _template_frame(tb: Any, fallback: str | None) -> tuple[str | None, int]:
    """The innermost traceback frame that belongs to a template (Jinja maps its lines to the template's)."""
    found: tuple[str | None, int] = (fallback, 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        owner = tb.tb_frame.f_globals.get("__jinja_template__")
        if owner is not None and filename == owner.filename:  # a template's own code: its line in the template
            found = (filename, owner.get_corresponding_lineno(tb.tb_lineno))
        elif filename.endswith(".j2") or (fallback and filename == fallback):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def shown_template(filename: str | None, name: str, project_templates: Path | None) -> str:
    """How a template file is named in messages: ``templates/<name>`` or ``(built-in) <name>``."""
    return _shown(filename, name, project_templates, "templates")


def _shown(filename: str | None, name: str, project_templates: Path | None, shown_dir: str) -> str:
    if filename is None:
        return name
    path = Path(filename)
    if project_templates is not None:
        try:
            return str(Path(shown_dir) / resolved(path).relative_to(resolved(project_templates)))
        except ValueError:
            pass
    return f"(built-in) {path.name}"
