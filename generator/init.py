"""`catalogue init DIR`: a new catalogue, ready to ingest, build and publish (Hugo's `hugo new site`,
MkDocs's `mkdocs new`): settings with every key explained, an empty papers folder, the default
taxonomy to edit, a .gitignore, a README for the catalogue's keeper and a GitHub Pages workflow.

It never overwrites: if any file it would write exists, it names them and writes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from string import Template

from generator.errors import CatalogueError
from generator.resources import DEFAULTS, SCAFFOLD
from generator.settings import check_base_url

WORKFLOW = Path(".github") / "workflows" / "publish.yml"


def init(folder: Path, title: str = "Paper catalogue", base_url: str = "/") -> list[Path]:
    """Write the new catalogue's files into `folder` (made if missing); returns them."""
    check_base_url(base_url, None)
    values = {"title": json.dumps(title, ensure_ascii=False), "base_url": json.dumps(base_url)}
    readme_values = {"title": title}
    files = {
        Path("catalogue.toml"): Template(_scaffold("catalogue.toml")).substitute(values),
        Path("content") / "topics.toml": (DEFAULTS / "topics.toml").read_text(encoding="utf-8"),
        Path("content") / "organisations.toml": _scaffold("organisations.toml"),
        Path("content") / "papers" / ".gitkeep": "",
        Path(".gitignore"): _scaffold("gitignore"),
        Path("README.md"): Template(_scaffold("README.md")).safe_substitute(readme_values),
        WORKFLOW: _scaffold(str(WORKFLOW)),
    }
    existing = [folder / name for name in files if (folder / name).exists() or (folder / name).is_symlink()]
    if existing:
        raise CatalogueError("these files exist and would be overwritten, so nothing was written: "
                             + ", ".join(str(p) for p in existing))
    # a file where a folder must be (DIR itself, content/, .github/, or above DIR): found before writing anything
    folders = [folder, *(folder / p for name in files for p in name.parents if p != Path("."))]
    first_existing = next((p for p in [folder, *folder.parents] if p.exists()), None)
    blocked = sorted({p for p in [*folders, first_existing] if p is not None and p.exists() and not p.is_dir()})
    if blocked:
        raise CatalogueError("a file is where a folder is needed, so nothing was written: "
                             + ", ".join(str(p) for p in blocked))
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:  # "x": never replace a file made meanwhile
            fh.write(text)
        written.append(path)
    return written


def _scaffold(name: str) -> str:
    return (SCAFFOLD / name).read_text(encoding="utf-8")


def next_steps(folder: Path) -> str:
    where = os.path.relpath(folder)
    go = f"cd {where} && " if where != "." else ""
    return (f"a new catalogue in {folder}\nnext: {go}catalogue ingest CAPTURE.txt && catalogue serve\n"
            "(to publish on GitHub Pages, see its README.md)")
