"""Usage errors exit EXIT_USAGE (64): CI can never read it as a plan result (0 none, 1 error, 2 changes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgov.cli import app
from kgov.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[2]


# The wording is click's (through typer) and changes with its releases: what is kgov's is the exit
# code and that the message names what was wrong.
@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["plan", "--detailed-exitcode", "--bogus"], "--bogus"),
        (["plan", "--detailed-exitcode"], "--env"),  # missing
        (["apply", "--env"], "--env"),  # no value
        (["lint", "--format", "xml"], "'xml'"),
        (["rules", "--format", "xml"], "'xml'"),
        (["--bogus"], "--bogus"),
        (["nope"], "'nope'"),
        (["sandbox", "up", "--bogus"], "--bogus"),
    ],
)
def test_usage_errors_exit_64(args: list[str], names: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert names in result.output and "Traceback" not in result.output


def test_the_console_process_exits_64_on_a_mistyped_plan_flag() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kgov", "plan", "--detailed-exitcode", "--bogus"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == EXIT_USAGE
    assert "--bogus" in done.stderr and done.stdout == ""


def test_a_good_command_keeps_its_own_code() -> None:
    assert CliRunner().invoke(app, ["lint", str(ROOT / "catalog")]).exit_code == EXIT_OK


def test_exit_codes_are_distinct_and_documented_in_help() -> None:
    codes = [EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_USAGE, EXIT_INTERRUPTED]
    assert len(set(codes)) == len(codes)
    help_text = CliRunner().invoke(app, ["--help"]).stdout
    lines = [line.strip() for line in help_text.splitlines()]
    for code in codes:
        assert any(line.startswith(f"{code} ") for line in lines), code
    readme = (ROOT / "README.md").read_text("utf-8")
    for code in codes:
        assert f"\n| {code} | " in readme, code
