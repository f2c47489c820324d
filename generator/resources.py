"""Where the package's own files are: the default taxonomy, the vendored lunr.js, its templates."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DEFAULTS = PACKAGE / "defaults"
VENDOR_LUNR = PACKAGE / "vendor" / "lunr"
VENDOR_LUNR_FILES = ("lunr.min.js", "LICENSE")  # what a site's static/lunr/ holds
# Installed, the templates are inside the package; in a checkout (or an editable install) they are
# the top-level templates/ beside it, the one source of what the wheel ships.
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates" / "base.html").is_file() else PACKAGE.parent / "templates"
SCAFFOLD = PACKAGE / "scaffold"
