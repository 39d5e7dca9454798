"""`kgov lint`'s parser without typer: it reads a command line as typer does, or leaves it to typer."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from kgov.app import LintFormat, app
from kgov.cli_lint import LintArgs, parse
from kgov.commands.lint import LINT_FORMATS

LINES = [
    [],
    ["catalog"],
    ["some/where"],
    ["--strict"],
    ["cat", "--strict", "--format", "json"],
    ["-f", "sarif", "cat"],
    ["--format=github"],
    ["--format", "json", "--format", "text"],
    ["-e", "prod", "--env", "local", "--env=stg"],
    ["--strict", "x", "-e", "prod", "-f", "json"],
    ["--base", "origin/main"],
    ["-b", "HEAD~1", "cat", "--base=main"],
]
# typer's: help, usage errors, and spellings click accepts that the hand parser does not take on.
LEFT_TO_TYPER = [
    ["--help"],
    ["-h"],
    ["a", "b"],
    ["--format", "yaml"],
    ["--format"],
    ["--env"],
    ["--bogus"],
    ["-fjson"],
    ["-f=json"],
    ["--", "catalog"],
    ["--env", "--strict"],
    ["--base"],
    ["--strict=true"],
]


def _typer_reads(line: list[str]) -> LintArgs:
    command = typer.main.get_command(app)
    context = command.make_context("kgov", ["lint", *line])  # type: ignore[attr-defined]
    lint = command.get_command(context, "lint")  # type: ignore[attr-defined]
    params = lint.make_context("lint", list(line), parent=context).params
    return LintArgs(
        Path(params["catalog"]),
        str(params["fmt"].value),
        params["strict"],
        tuple(params["env"]),
        params["base"],
    )


@pytest.mark.parametrize("line", LINES, ids=" ".join)
def test_reads_each_usual_line_as_typer_does(line: list[str]) -> None:
    assert parse(line) == _typer_reads(line)


@pytest.mark.parametrize("line", LEFT_TO_TYPER, ids=" ".join)
def test_leaves_everything_else_to_typer(line: list[str]) -> None:
    assert parse(line) is None


def test_knows_exactly_the_options_typer_declares() -> None:
    command = typer.main.get_command(app)
    lint = command.get_command(command.make_context("kgov", ["lint"]), "lint")  # type: ignore[attr-defined]
    declared = {opt for p in lint.params for opt in p.opts}
    assert declared == {"catalog", "--format", "-f", "--strict", "--env", "-e", "--base", "-b"}
    assert sorted(f.value for f in LintFormat) == sorted(LINT_FORMATS)
