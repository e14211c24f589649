"""Templates: sandboxed Jinja, a project's ``templates/`` over the built-in ones, errors with file and line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from . import markdown, tables
from .citations import cite
from .diagnostics import SynthdocError
from .project import BUILTIN_TEMPLATES


def environment(project_templates: Path | None) -> SandboxedEnvironment:
    """A sandboxed environment: templates can arrange data, never read files or reach Python internals."""
    paths = [str(p) for p in (project_templates, BUILTIN_TEMPLATES) if p is not None and p.is_dir()]
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cite"] = lambda views, lang: cite([v.claim for v in views], lang)
    env.filters["with_citation"] = markdown.with_citation
    env.filters["without_end"] = markdown.without_end
    env.filters["literal"] = markdown.literal
    env.filters["inline"] = markdown.inline
    env.filters["provenance"] = _provenance
    # table(header, rows[, widths]): a table no cell text can break (grid_table: its former name).
    env.globals["table"] = env.globals["grid_table"] = tables.table_markup
    return env


def _provenance(text: str, claims: object) -> str:
    from .synthesis import provenance

    views = list(claims) if isinstance(claims, list | tuple) else [claims]
    return provenance(text, views)


def template_files(name: str, project_templates: Path | None) -> list[Path]:
    """The files a template is rendered from: itself and every template it includes, imports or extends."""
    from jinja2 import meta

    env = environment(project_templates)
    seen: dict[str, Path] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        try:
            source, filename, _ = env.loader.get_source(env, current)
            refs = meta.find_referenced_templates(env.parse(source))
        except jinja2.TemplateError:
            seen[current] = Path(f"<missing {current}>")
            continue
        seen[current] = Path(filename or current)
        todo += [r for r in refs if isinstance(r, str)]
    return [seen[k] for k in sorted(seen)]


def template_names(project_templates: Path | None) -> list[str]:
    return sorted(environment(project_templates).list_templates(extensions=["j2"]))


def render(name: str, context: dict[str, Any], project_templates: Path | None, shown_dir: str = "templates") -> str:
    """Render template ``name``; any template error becomes a diagnostic naming the template and line."""
    env = environment(project_templates)
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        known = ", ".join(template_names(project_templates)) or "none"
        raise SynthdocError.single(f"{shown_dir}/{name}", f"template '{name}' not found in {shown_dir}/ nor among "
                                   f"the built-in templates ({known})", "template-missing") from None
    except jinja2.TemplateSyntaxError as exc:
        shown = _shown(exc.filename, name, project_templates, shown_dir)
        raise SynthdocError.single(shown, f"template syntax error: {exc.message}", "template-syntax",
                                   exc.lineno or 1) from None
    try:
        return template.render(context)
    except (jinja2.UndefinedError, SecurityError, jinja2.TemplateError, TypeError, ValueError,
            AttributeError, KeyError, IndexError, ZeroDivisionError) as exc:
        filename, line = _template_frame(sys.exc_info()[2], template.filename)
        what = "not allowed in a template" if isinstance(exc, SecurityError) else "template error"
        raise SynthdocError.single(_shown(filename, name, project_templates, shown_dir), f"{what}: {exc}",
                                   "template-error", line) from None


def _template_frame(tb: Any, fallback: str | None) -> tuple[str | None, int]:
    """The innermost traceback frame that belongs to a template (Jinja maps its lines to the template's)."""
    found: tuple[str | None, int] = (fallback, 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or (fallback and filename == fallback):
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
            return f"{shown_dir}/{path.resolve().relative_to(project_templates.resolve())}"
        except ValueError:
            pass
    return f"(built-in) {path.name}"
