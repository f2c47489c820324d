"""Jinja2 environment: autoescaped templates, a person's folder first, presentation only."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import jinja2
from markupsafe import Markup, escape

from generator.errors import CatalogueError
from generator.settings import Settings
from generator.utils.xml_text import NOT_XML

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


OPTIONS = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
AUTOESCAPED = ("html", "xml")


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's own cache of compiled templates (checked against each template's source), keyed
    also by what else shapes the compiled code: Jinja's version and our environment's options."""

    COMPILED_WITH = repr((jinja2.__version__, sorted(OPTIONS.items()), AUTOESCAPED))

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{name}|{self.COMPILED_WITH}", filename)


def make_environment(settings: Settings, compiled: Path | None = None) -> jinja2.Environment:
    """`compiled`: a folder where compiled templates are kept between runs (a new process then
    skips compiling them: most of the cost of rendering a handful of pages)."""
    loader = jinja2.FileSystemLoader([str(d) for d in settings.template_dirs()])
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
        except OSError:  # no cache folder we can write: compile every time, as without one
            compiled = None
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(AUTOESCAPED, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one build, one look at each template (not three stats a page)
        bytecode_cache=_BytecodeCache(str(compiled)) if compiled is not None else None,
        **OPTIONS,
    )
    env.globals["card"] = Cards(env)
    env.filters["long_date"] = long_date
    env.filters["month_year"] = month_year
    env.filters["month_name"] = lambda month: MONTH_NAMES[month - 1]
    env.filters["et_al"] = et_al
    env.filters["json_attr"] = lambda value: Markup(json.dumps(value))  # escaped again by the attribute
    from generator.site import cite  # the citation formats, for the templates to place

    env.filters["bibliography"] = cite.bibliography
    env.filters["highwire"] = cite.highwire_tags
    env.filters["json_ld"] = lambda paper, url: Markup(cite.json_ld(paper, url))  # escaped for <script> by json_ld
    return env


def et_al(authors, shown: int = 3) -> str:
    """A list card's authors: the first few, then "et al." (a 25-author paper took 25 lines of a
    phone's screen on every list); the paper's own page names them all."""
    names = list(authors)
    return ", ".join(names) if len(names) <= shown + 1 else ", ".join(names[:shown]) + " et al."


class Cards:
    """A paper's card in lists (the `paper_card` macro), rendered once per process and heading level
    with a stand-in for its links' root, which each list fills in: a paper shows in a dozen lists
    (topics, dates, rankings, organisations), and its card was most of a list page's cost."""

    # Markup, so the template writes it as it is; a "<" in any text is escaped, so the stand-in
    # can come only from the root the macro was given
    HOLE = Markup("<\x00root\x00>")
    KEPT = 50_000  # cards kept at most (memory)

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.cards: dict[tuple[str, int], str] = {}

    def __call__(self, paper, root: str, heading_level: int = 2) -> Markup:
        key = (paper.slug, heading_level)
        card = self.cards.get(key)
        if card is None:
            if len(self.cards) >= self.KEPT:
                self.cards.clear()
            card = self.cards[key] = str(self._macro()(paper, self.HOLE, heading_level))
        return Markup(card.replace(self.HOLE, str(escape(root))))

    def _macro(self):
        return self.env.get_template("_macros.html").module.paper_card


def month_year(value: tuple[int, int] | None) -> str:
    """A month known without its day (from an arXiv id): "Jun 2022", never an invented day."""
    return f"{MONTH_NAMES[value[1] - 1][:3]} {value[0]}" if value else "no date"


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
    except CatalogueError:
        raise
    except Exception as exc:  # anything else a template's expression can raise ({{ 1/0 }}): still its file and line
        path, line = _template_frame(exc, env, template)
        raise CatalogueError(f"template error: {type(exc).__name__}: {exc}", path, line) from None


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


@lru_cache(maxsize=16)
def _uri(address: str) -> str:
    """The address as a URI: its path percent-encoded once (`%C3%BC` stays, a lone `%` is `%25`),
    a host beyond ASCII in its IDNA form (`xn--bcher-kva.example`), as RFC 3986 asks."""
    parts = urlsplit(address)
    netloc = parts.netloc
    if not netloc.isascii():
        netloc = parts.hostname.encode("idna").decode("ascii") + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, path=quote(unquote(parts.path), safe="/:@!$&'()*+,;=")))


def page_context(route, settings: Settings) -> dict:
    """What every template sees besides the route's own context."""
    depth = route.path.count("/")
    # percent-encoded, as sitemaps.org and RFC 3986 want an address (`/bücher/` is `/b%C3%BCcher/`)
    root = _uri(settings.base_path) if route.path == "404.html" else ("../" * depth or "./")
    base = _uri(settings.absolute_base or settings.base_path)
    return {"site": settings, "root": root, "base": base, "page_url": route.url, "title": None, **route.context}


def render_page(env: jinja2.Environment, route, settings: Settings) -> bytes:
    """One route's page, as the bytes written to the site. A feed or sitemap is well-formed XML
    whatever the content holds: characters XML 1.0 forbids are dropped."""
    text = render(env, route.template, page_context(route, settings))
    if route.path.endswith(".xml"):
        text = NOT_XML.sub("", text)
    return text.encode("utf-8")
