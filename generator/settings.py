"""Site settings: one TOML file (`catalogue.toml`), typed, with sensible defaults."""

from __future__ import annotations

import dataclasses
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
        values = _read_toml(path)
    known = {f.name for f in dataclasses.fields(Settings)} - {"content", "config_path"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise CatalogueError(f"unknown setting(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})", path)
    defaults = Settings()
    for name, value in values.items():
        expected = type(getattr(defaults, name)) if getattr(defaults, name) is not None else str
        if name == "templates":
            value = (path.parent / value) if path else Path(value)
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise CatalogueError(f"setting {name!r} should be {expected.__name__}, not {value!r}", path)
        values[name] = value
    settings = Settings(**values, content=content, config_path=path)
    if base_url is not None:
        settings.base_url = base_url
    if templates is not None:
        settings.templates = templates
    if settings.templates is not None and not settings.templates.is_dir():
        raise CatalogueError("templates folder not found", settings.templates)
    parts = urlsplit(settings.base_url)
    if not (parts.scheme in ("http", "https") and parts.netloc) and not (not parts.scheme and settings.base_url.startswith("/")):
        raise CatalogueError(f"base_url {settings.base_url!r} should be an address such as "
                             "https://lab.example.org/papers/ or a path starting with /", path)
    if settings.per_page < 1:
        raise CatalogueError("setting 'per_page' must be at least 1", path)
    return settings


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise CatalogueError(f"cannot read settings: {exc.strerror}", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"broken settings: {exc}", path) from None
