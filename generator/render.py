"""Jinja2 environment: autoescaped templates, a person's folder first, presentation only."""

from __future__ import annotations

import datetime as dt
import json

import jinja2
from markupsafe import Markup

from generator.errors import CatalogueError
from generator.settings import Settings

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def make_environment(settings: Settings) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([str(d) for d in settings.template_dirs()])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["month_name"] = lambda month: MONTH_NAMES[month - 1]
    env.filters["json_attr"] = lambda value: Markup(json.dumps(value))  # escaped again by the attribute
    return env


def long_date(value: dt.date | None) -> str:
    return f"{value.day} {MONTH_NAMES[value.month - 1][:3]} {value.year}" if value else "no date"


def render(env: jinja2.Environment, template: str, context: dict) -> str:
    """Render one page; a template mistake is a CatalogueError naming the template and line."""
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise CatalogueError(f"template error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise CatalogueError(f"template not found: {exc.name}", template) from None
    except (jinja2.UndefinedError, TypeError, ValueError, AttributeError, KeyError) as exc:
        path, line = _template_frame(exc, env, template)
        raise CatalogueError(f"template error: {exc}", path, line) from None


def _template_frame(exc: BaseException, env: jinja2.Environment, name: str) -> tuple[str, int | None]:
    """The innermost template file and line of a render error (Jinja maps its frames to them)."""
    found: tuple[str, int | None] = (name, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
