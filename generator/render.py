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
    except (jinja2.UndefinedError, TypeError, ValueError) as exc:
        raise CatalogueError(f"template error: {exc}", _template_path(env, template)) from None


def _template_path(env: jinja2.Environment, name: str) -> str:
    try:
        return env.get_template(name).filename or name
    except jinja2.TemplateError:
        return name
