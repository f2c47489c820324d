"""The `catalogue` command itself: installed entry point, help, version, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import run_cli

from generator import __version__


def test_the_installed_command_and_python_dash_m_are_the_same_program():
    script = Path(sys.executable).parent / "catalogue"
    assert script.exists(), "pip install -e . installs the `catalogue` command beside the interpreter"
    installed = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert installed.returncode == 0 and installed.stdout.strip() == f"catalogue {__version__}"
    assert run_cli("--version").stdout.strip() == f"catalogue {__version__}"


def test_help_lists_the_three_subcommands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("ingest", "build", "serve"):
        assert command in result.stdout


def test_no_subcommand_prints_help_and_fails():
    result = run_cli()
    assert result.returncode == 2 and "usage: catalogue" in result.stdout


def test_each_subcommand_has_help_with_its_options():
    assert "--year" in run_cli("ingest", "--help").stdout
    assert "--base-url" in run_cli("build", "--help").stdout and "--force" in run_cli("build", "--help").stdout
    assert "--host" in run_cli("serve", "--help").stdout


def test_a_missing_content_folder_is_one_line_not_a_traceback(tmp_path):
    result = run_cli("build", "--content", str(tmp_path / "nowhere"), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nowhere'}: content folder not found (run `catalogue ingest` first, or pass --content)"]
