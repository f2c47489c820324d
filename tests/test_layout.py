"""The package's folders are the pipeline's stages, and imports only point back up the pipeline."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import PROJECT

PACKAGE = PROJECT / "generator"
# Each part may import only parts of a lower rank (or itself): a stage uses the stages before it.
RANK = {
    "errors": 0, "resources": 0, "utils": 0, "settings": 1,
    "ingest": 2, "catalogue": 3, "search": 4, "site": 4, "build": 5, "serve": 6, "check": 6, "init": 6, "topics_report": 6, "cli": 7,
    "__main__": 8, "__init__": 8, "vendor": 0, "scaffold": 0,
}


def _part(module: str) -> str:
    """`generator.search.index` -> `search`; a name of the package itself (`__version__`) -> `__init__`."""
    part = module.split(".")[1] if module.count(".") else "__init__"
    return part if part in RANK else "__init__"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            found |= {f"{node.module}.{a.name}" for a in node.names} if node.module == "generator" else {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("generator")}
    return found


def test_every_module_belongs_to_a_known_stage():
    parts = {p.stem if p.parent == PACKAGE else p.relative_to(PACKAGE).parts[0]
             for p in PACKAGE.rglob("*.py")}
    assert parts <= set(RANK), parts - set(RANK)


def test_imports_point_back_up_the_pipeline_never_down_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        here = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        for module in _imports(path):
            there = _part(module)
            if there != here and there != "__init__" and RANK[there] >= RANK[here] and not (
                    RANK[there] == RANK[here] == 0):
                wrong.append(f"{relative} imports {module}")
    assert wrong == []
