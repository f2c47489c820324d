"""Where the package's own files are: the default taxonomy, the vendored lunr.js, its templates."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DEFAULTS = PACKAGE / "defaults"
VENDOR_LUNR = PACKAGE / "vendor" / "lunr"
TEMPLATES = PACKAGE.parent / "templates"
