"""The `catalogue` command itself: installed entry point, help, version, errors without tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT, run_cli, write_paper

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


def test_a_port_out_of_range_is_a_usage_error_not_an_unexpected_one():
    result = run_cli("serve", "--port", "99999")
    assert result.returncode == 2 and "argument --port: not a port (0-65535): '99999'" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


def test_debug_is_accepted_after_the_command_as_the_error_message_suggests(tmp_path):
    """An unexpected error says "run with --debug"; `catalogue build ... --debug` was refused."""
    for args in (["--debug", "build"], ["build", "--debug"]):
        result = run_cli(*args, "--content", str(tmp_path / "nowhere"), "--out", str(tmp_path / "site"))
        assert result.returncode == 1 and "content folder not found" in result.stderr, result.stderr


def _papers(content, count):
    for i in range(count):
        write_paper(content, f"paper-{i}", f"Paper number {i}", "An abstract about repetition. " * 5,
                    date=f"2024-0{1 + i % 9}-1{i % 9}")


def test_a_long_build_on_a_terminal_shows_one_rewriting_progress_line_and_a_pipe_gets_none(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    _papers(tmp_path / "content", 1200)  # enough to be worth the cores (and so to report progress)
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(tmp_path / "content"),
                             "--out", str(tmp_path / "site")], cwd=PROJECT, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert proc.wait(timeout=300) == 0
    assert re.search(rb"\r\x1b\[2Kreading [\d,]+/1,200 pages", shown), shown[:300]
    assert re.search(rb"\r\x1b\[2Krendering [\d,]+/[\d,]+ pages", shown)
    piped = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site2"))
    assert "\r" not in piped.stderr and "\x1b" not in piped.stderr
    quiet = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site3"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""  # not even the summary
