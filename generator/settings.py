"""Site settings: one TOML file (`catalogue.toml`), typed, with sensible defaults."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import CatalogueError
from generator.resources import TEMPLATES

CONFIG_NAME = "catalogue.toml"
PROJECT_TEMPLATES = TEMPLATES


@dataclass
class Settings:
    title: str = "Paper catalogue"
    description: str = "A curated catalogue of research papers."
    base_url: str = "/"
    language: str = "en"
    author: str = ""
    per_page: int = 25          # papers per topic/date list page before it paginates
    home_recent: int = 15       # newest papers on the home page
    feed_entries: int = 50      # newest papers in each Atom feed
    unsafe_html: bool = False   # let raw HTML in a page body through (Hugo's `unsafe`), off by default
    content: Path = Path("content")
    templates: Path | None = None
    config_path: Path | None = field(default=None, compare=False)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with `/`."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def absolute_base(self) -> str | None:
        """base_url when it names a host, for feeds and the sitemap; else None."""
        parts = urlsplit(self.base_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return None

    def template_dirs(self) -> list[Path]:
        """A person's templates first, so one of the same name overrides the shipped one."""
        dirs = [self.templates] if self.templates else []
        return dirs + [PROJECT_TEMPLATES]


def load_settings(config: Path | None, content: Path, base_url: str | None = None,
                  templates: Path | None = None) -> Settings:
    """Read the settings file (if any); command-line options win over it."""
    path = config
    if path is None:
        for candidate in (content.parent / CONFIG_NAME, Path(CONFIG_NAME)):
            if candidate.is_file():
                path = candidate
                break
    values: dict = {}
    if path is not None:
        values = read_toml(path, "settings")
    check_keys(values, {f.name for f in dataclasses.fields(Settings)} - {"content", "config_path"}, path, "setting")
    defaults = Settings()
    for name, value in values.items():
        expected = type(getattr(defaults, name)) if getattr(defaults, name) is not None else str
        if name == "templates" and isinstance(value, str):
            value = (path.parent / value) if path else Path(value)
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            kinds = {"str": "a string", "int": "a whole number", "bool": "true or false", "Path": "a folder path"}
            raise CatalogueError(f"setting {name!r} should be {kinds.get(expected.__name__, expected.__name__)}, "
                                 f"not {type(value).__name__} {value!r}", path, toml_line(path, name))
        values[name] = value
    settings = Settings(**values, content=content, config_path=path)
    if base_url is not None:
        settings.base_url = base_url
    if templates is not None:
        settings.templates = templates
    if settings.templates is not None and not settings.templates.is_dir():
        raise CatalogueError("templates folder not found", settings.templates)
    check_base_url(settings.base_url, path if base_url is None else None)  # blame the file only for its own value
    for name in ("per_page", "home_recent", "feed_entries"):  # 0 empties a page; -1 dropped the oldest paper
        if getattr(settings, name) < 1:
            raise CatalogueError(f"setting {name!r} must be at least 1, not {getattr(settings, name)}", path,
                                 toml_line(path, name) if path is not None and name in values else None)
    return settings


def check_keys(values: dict, known: set[str], path: Path | None, kind: str, where: str = "",
               table: tuple[str, int] | None = None) -> None:
    """A key a person wrote that means nothing here is a mistake (`[[topics]]`, `term =`), never
    ignored: named with its line and the known key it is closest to. `table`: the keys are those of
    the n-th `[[name]]` table (see toml_line)."""
    for name in values:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known))}"
            raise CatalogueError(f"{where}unknown {kind} {name!r} ({hint})", path, toml_line(path, name, table))


_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def toml_line(path: Path | None, key: str, table: tuple[str, int] | None = None) -> int | None:
    """The line of `key = ...` (or a `[key]`, `[[key]]` table) in a TOML file, for an error about it:
    among the top-level keys, or with `table` (name, n) in the n-th `[[name]]` table (n = 0: the
    `[name]` table); its header's line if the key is not written there (a table missing a key)."""
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"^\s*(?:[\"']?{re.escape(key)}[\"']?\s*=|\[\[?\s*{re.escape(key)}\s*\]\]?\s*(?:#.*)?$)")
    current, count, header = None, 0, None  # the table the line is in: None at the top level
    for n, line in enumerate(lines, 1):
        opened = _TABLE.match(line)
        if opened:
            current = opened.group(1)
            if table is not None and current == table[0]:
                count += line.lstrip().startswith("[[")
                header = n if count == table[1] else header
            if table is None and pattern.match(line):
                return n
            continue
        inside = current is None if table is None else (current == table[0] and count == table[1])
        if inside and pattern.match(line):
            return n
    return header if table is not None else None


def check_base_url(base_url: str, path: Path | None) -> None:
    """An address or a path every page's address can be appended to (`path`: the settings file it
    came from, or None for --base-url): no query, fragment or space, which would end up inside
    every feed and sitemap address."""
    parts = urlsplit(base_url)
    if not (parts.scheme in ("http", "https") and parts.netloc) and not (not parts.scheme and base_url.startswith("/")):
        raise CatalogueError(f"base_url {base_url!r} should be an address such as "
                             "https://lab.example.org/papers/ or a path starting with /", path,
                             toml_line(path, "base_url"))
    if parts.query or parts.fragment or "?" in base_url or "#" in base_url or any(c.isspace() for c in base_url):
        raise CatalogueError(f"base_url {base_url!r} should hold no ?, # or space: each page's address is "
                             "appended to it (write a space as %20)", path, toml_line(path, "base_url"))


def read_toml(path: Path, what: str) -> dict:
    """A TOML file a person writes (settings, taxonomy, aliases); one named line if it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a byte-order mark, as some editors write, is not TOML
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read {what}: {getattr(exc, 'strerror', None) or exc}", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"broken {what}: {exc}", path) from None
