"""A reader that stops early (`kgov diff | head`) ends every command quietly: exit 141 (128+SIGPIPE,
what a shell reports for a tool the signal ends), nothing on stderr: no "internal error", no
traceback, no "Exception ignored ... BrokenPipeError" from the interpreter's last flush.

Each command runs as a real process whose stdout is a pipe with its read end already closed, so
the first byte it writes fails, through the fast path (lint, plan) and through typer alike;
buffered as in CI, and unbuffered (PYTHONUNBUFFERED, where the write itself fails)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgov.errors import EXIT_PIPE
from tests.unit.hostile.cliio_helpers import ROOT, catalog, snapshot_of

SCHEMA = "catalog/schemas/orders.created-key.avsc"  # tracked: the repository's own example

COMMANDS = {
    "lint": ["lint", "{catalog}"],
    "lint-json": ["lint", "{catalog}", "--format", "json"],
    "plan-snapshot": ["plan", "--env", "local", "--catalog", "{catalog}", "--snapshot", "{snapshot}"],
    "plan-snapshot-json": [
        "plan", "--env", "local", "--catalog", "{catalog}", "--snapshot", "{snapshot}", "--format", "json",
    ],
    "plan-snapshot-markdown": [
        "plan", "--env", "local", "-c", "{catalog}", "--snapshot", "{snapshot}", "-f", "markdown",
    ],
    "diff-base": ["diff", "--base", "HEAD"],
    "diff-base-json": ["diff", "--base", "HEAD", "--format", "json"],
    "rules": ["rules"],
    "rules-markdown": ["rules", "--format", "markdown"],
    "schema-check": ["schema", "check", "--old", SCHEMA, "--new", SCHEMA, "--level", "BACKWARD"],
    "audit-catalog-only": ["audit", "--env", "local", "--catalog", "{catalog}", "--catalog-only"],
    "help": ["--help"],
    "plan-help": ["plan", "--help"],
    "schema-help": ["schema", "check", "--help"],
    "version": ["--version"],
}  # fmt: skip


def _closed_pipe_run(args: list[str], *, closed: str, buffered: bool) -> subprocess.CompletedProcess[bytes]:
    """kgov with `closed` ("stdout" or "stderr") a pipe nobody reads any more; the other captured."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before kgov writes a byte
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(ROOT)
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    streams = {"stdout": write_end, "stderr": subprocess.PIPE}
    if closed == "stderr":
        streams = {"stdout": subprocess.PIPE, "stderr": write_end}
    try:
        return subprocess.run(
            [sys.executable, "-m", "kgov", *args],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, timeout=120, check=False, **streams,  # type: ignore[arg-type]
        )  # fmt: skip
    finally:
        os.close(write_end)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = catalog(tmp_path_factory.mktemp("pipes"))
    return {"catalog": str(root), "snapshot": str(snapshot_of(root, root.parent / "state.json"))}


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_closed_stdout_pipe_ends_the_command_quietly_with_141(
    name: str, buffered: bool, files: dict[str, str]
) -> None:
    args = [a.format(**files) for a in COMMANDS[name]]
    done = _closed_pipe_run(args, closed="stdout", buffered=buffered)
    assert done.returncode == EXIT_PIPE, done.stderr.decode()
    assert done.stderr == b""  # no message at all: the reader asked for no more


def test_an_error_told_to_a_closed_stderr_pipe_keeps_its_exit_code_and_says_nothing(
    files: dict[str, str],
) -> None:
    root = files["catalog"]
    for args in (["plan", "--env", "nope", "-c", root], ["lint", root, "--env", "nope"]):
        done = _closed_pipe_run(args, closed="stderr", buffered=True)
        assert done.returncode == 1, args  # the error, not a crash of the report
        assert done.stdout == b""


def test_a_usage_error_told_to_a_closed_stderr_pipe_ends_quietly() -> None:
    done = _closed_pipe_run(["no-such-command"], closed="stderr", buffered=True)
    assert done.returncode == EXIT_PIPE
    assert done.stdout == b""


def test_a_plan_saved_with_out_is_written_even_when_its_reader_stops_early(
    files: dict[str, str], tmp_path: Path
) -> None:
    """`kgov plan --out plan.json | head`: the plan file is saved before the plan is shown."""
    saved = tmp_path / "plan.json"
    args = ["plan", "--env", "local", "-c", files["catalog"], "--snapshot", files["snapshot"]]
    args += ["--out", str(saved)]
    done = _closed_pipe_run(args, closed="stdout", buffered=False)
    assert done.returncode == EXIT_PIPE, done.stderr.decode()
    assert json.loads(saved.read_text("utf-8"))["format_version"] == 2
