"""`catalogue init DIR`: a new catalogue, ready to ingest, build and publish (Hugo's `hugo new site`,
MkDocs's `mkdocs new`): settings with every key explained, an empty papers folder, the default
taxonomy to edit, a .gitignore, a README for the catalogue's keeper and a GitHub Pages workflow.

It never overwrites: if any file it would write exists, it names them and writes nothing."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from string import Template

from generator.errors import CatalogueError
from generator.resources import DEFAULTS, SCAFFOLD
from generator.settings import check_base_url

WORKFLOW = Path(".github") / "workflows" / "publish.yml"
DISTRIBUTION = "paper-catalogue"  # the name pip knows this tool by (pyproject.toml)
PACKAGE_KEY = "CATALOGUE_PACKAGE"  # the workflow's setting for what it installs


def init(folder: Path, title: str = "Paper catalogue", base_url: str = "/", package: str | None = None) -> list[Path]:
    """Write the new catalogue's files into `folder` (made if missing); returns them. `package`:
    what the publishing workflow installs with pip (default: `installed_from()`)."""
    check_base_url(base_url, None)
    package = installed_from() if package is None else package
    if not package.strip() or any(c in package for c in "\n\r\t"):
        raise CatalogueError(f"--package {package!r} is not something pip can install: give a name, a pinned "
                             "version (paper-catalogue==0.1.0) or a git+https:// address")
    values = {"title": json.dumps(title, ensure_ascii=False), "base_url": json.dumps(base_url)}
    readme_values = {"title": title}
    files = {
        Path("catalogue.toml"): Template(_scaffold("catalogue.toml")).substitute(values),
        Path("content") / "topics.toml": (DEFAULTS / "topics.toml").read_text(encoding="utf-8"),
        Path("content") / "organisations.toml": _scaffold("organisations.toml"),
        Path("content") / "papers" / ".gitkeep": "",
        Path(".gitignore"): _scaffold("gitignore"),
        Path("README.md"): Template(_scaffold("README.md")).safe_substitute(readme_values),
        WORKFLOW: _scaffold(str(WORKFLOW)).replace(f"{PACKAGE_KEY}: {DISTRIBUTION}",
                                                    f"{PACKAGE_KEY}: {json.dumps(package)}"),
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


def installed_from() -> str:
    """What the workflow should `pip install` to get the tool this command runs: the repository and
    commit it was installed from (pip records it: PEP 610's direct_url.json), or, for a clone
    installed with `pip install -e .`, that clone's `origin` and commit; else its name and version
    (as from an index). A workflow installing a name no index has fails on its first push."""
    from importlib import metadata

    # the record of the copy running now: a project folder's build leftovers (an .egg-info), or
    # another copy installed elsewhere on the path, may be found first
    found = [d for d in metadata.distributions(name=DISTRIBUTION) if _runs_here(d)]
    if not found:
        return DISTRIBUTION
    record = _direct_url(found[0])
    return (source_spec(record) if record else None) or f"{DISTRIBUTION}=={found[0].version}"


def _direct_url(distribution) -> dict | None:
    try:
        record = json.loads(distribution.read_text("direct_url.json") or "null")
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _runs_here(distribution) -> bool:
    """Is this installed record that of the package running now (installed beside it, or a folder
    installed for editing that holds it)?"""
    here = Path(__file__).resolve().parent
    if Path(distribution.locate_file("generator")).resolve() == here:
        return True
    folder = _installed_folder(_direct_url(distribution) or {})
    return folder is not None and (folder / "generator").resolve() == here


def _installed_folder(direct_url: dict) -> Path | None:
    """The folder on this machine a PEP 610 record says the tool was installed from, if it was one."""
    from urllib.parse import unquote, urlparse

    url = direct_url.get("url", "")
    return Path(unquote(urlparse(url).path)) if "dir_info" in direct_url and url.startswith("file://") else None


def source_spec(direct_url: dict) -> str | None:
    """A pip requirement for the source a PEP 610 record names: a git repository at its commit, an
    archive's address, or a local clone's public `origin` at its commit; None for a source a
    workflow cannot reach (a folder without such a remote)."""
    url = direct_url.get("url", "")
    vcs = direct_url.get("vcs_info")
    if vcs is not None:  # only an https address: a workflow has no SSH key, and no file of this machine
        commit = vcs.get("commit_id")
        if not url.startswith(("https://", "http://")):
            return None
        return f"{vcs.get('vcs', 'git')}+{url}" + (f"@{commit}" if commit else "")
    if "archive_info" in direct_url:
        return url if url.startswith(("https://", "http://")) else None
    folder = _installed_folder(direct_url)
    return _clone_spec(folder) if folder is not None else None


def _clone_spec(folder: Path) -> str | None:
    """`git+https://host/owner/repo.git@commit` for a clone whose `origin` is on a host (an scp-style
    `git@host:owner/repo.git` is read as its https address: a workflow has no SSH key)."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30,
                              check=True).stdout.strip()

    try:
        remote, commit = git("config", "--get", "remote.origin.url"), git("rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return None
    scp = re.fullmatch(r"[\w.-]+@([\w.-]+):(?!/)(.+)", remote)
    if scp:
        remote = f"https://{scp.group(1)}/{scp.group(2)}"
    remote = re.sub(r"^(https://)[^/@]+@", r"\1", remote)  # no user name (or token) in the workflow
    if not remote.startswith("https://"):
        return None
    return f"git+{remote}@{commit}"


def _scaffold(name: str) -> str:
    return (SCAFFOLD / name).read_text(encoding="utf-8")


def next_steps(folder: Path, package: str) -> str:
    where = os.path.relpath(folder)
    go = f"cd {where} && " if where != "." else ""
    return (f"a new catalogue in {folder}\nnext: {go}catalogue ingest CAPTURE.txt && catalogue serve\n"
            f"(to publish on GitHub Pages, see its README.md; its workflow installs {package}: "
            f"--package, or {PACKAGE_KEY} in {WORKFLOW.as_posix()}, to change it)")
