"""`kgov lint`'s and `kgov plan`'s parsers without typer: each reads a command line as typer does, or
leaves it to typer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from kgov.cli.fastpath import LintArgs, PlanArgs, parse_lint, parse_plan
from kgov.cli.typer_app import LintFormat, PlanFormat, app
from kgov.render.formats import LINT, PLAN

LINT_FORMATS, PLAN_FORMATS = LINT.names, PLAN.names  # what the hand parsers offer

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


def _typer_params(name: str, line: list[str]) -> dict[str, object]:
    command = typer.main.get_command(app)
    context = command.make_context("kgov", [name, *line])
    sub = command.get_command(context, name)  # type: ignore[attr-defined]
    params: dict[str, object] = sub.make_context(name, list(line), parent=context).params
    return params


def _typer_reads(line: list[str]) -> LintArgs:
    params: dict[str, Any] = _typer_params("lint", line)
    return LintArgs(
        Path(params["catalog"]),
        str(params["fmt"].value),
        params["strict"],
        tuple(params["env"]),
        params["base"],
    )


@pytest.mark.parametrize("line", LINES, ids=" ".join)
def test_reads_each_usual_line_as_typer_does(line: list[str]) -> None:
    assert parse_lint(line) == _typer_reads(line)


@pytest.mark.parametrize("line", LEFT_TO_TYPER, ids=" ".join)
def test_leaves_everything_else_to_typer(line: list[str]) -> None:
    assert parse_lint(line) is None


def test_knows_exactly_the_options_typer_declares() -> None:
    command = typer.main.get_command(app)
    lint = command.get_command(command.make_context("kgov", ["lint"]), "lint")  # type: ignore[attr-defined]
    declared = {opt for p in lint.params for opt in p.opts}
    assert declared == {"catalog", "--format", "-f", "--strict", "--env", "-e", "--base", "-b"}
    assert sorted(f.value for f in LintFormat) == sorted(LINT_FORMATS)


PLAN_LINES = [
    ["--env", "local"],
    ["-e", "prod", "-c", "cat", "--detailed-exitcode"],
    ["--env=prod", "--catalog=some/where", "--out", "plan.json", "--format", "json"],
    ["-e", "x", "-f", "markdown", "-o", "p.json", "--allow-delete", "--base", "origin/main"],
    ["-e", "x", "--snapshot", "state.json", "-b", "HEAD~1"],
    ["-e", "a", "-e", "b", "--format", "json", "--format", "text"],  # click keeps the last format
    ["--all-environments", "--format", "markdown", "--out", "plans.json"],
    ["-e", "a", "--all-environments"],  # the command refuses both, as typer's would
    ["--detailed-exitcode", "--allow-delete", "--env", "local", "--base=main"],
]
PLAN_LEFT_TO_TYPER = [
    [],
    ["--help"],
    ["-c", "cat"],  # neither --env nor --all-environments: the command says one is needed
    ["--env"],
    ["--env", "--detailed-exitcode"],
    ["--env", "x", "--format", "sarif"],
    ["--env", "x", "cat"],
    ["--env", "x", "--bogus"],
    ["-ex"],
    ["--env", "x", "--detailed-exitcode=true"],
    ["--env", "x", "--"],
]


def _typer_plan(line: list[str]) -> PlanArgs:
    params: dict[str, Any] = _typer_params("plan", line)
    return PlanArgs(
        tuple(params["env"]),
        Path(params["catalog"]),
        params["out"],
        str(params["fmt"].value),
        params["detailed_exitcode"],
        params["allow_delete"],
        params["base"],
        params["snapshot"],
        all_environments=params["all_environments"],
    )


@pytest.mark.parametrize("line", PLAN_LINES, ids=" ".join)
def test_reads_each_usual_plan_line_as_typer_does(line: list[str]) -> None:
    assert parse_plan(line) == _typer_plan(line)


@pytest.mark.parametrize("line", PLAN_LEFT_TO_TYPER, ids=lambda line: " ".join(line) or "(none)")
def test_leaves_every_other_plan_line_to_typer(line: list[str]) -> None:
    assert parse_plan(line) is None


def test_knows_exactly_the_plan_options_typer_declares() -> None:
    command = typer.main.get_command(app)
    plan = command.get_command(command.make_context("kgov", ["plan", "-e", "x"]), "plan")  # type: ignore[attr-defined]
    declared = {opt for p in plan.params for opt in p.opts}
    assert declared == {
        "--env", "-e", "--catalog", "-c", "--out", "-o", "--format", "-f", "--detailed-exitcode",
        "--allow-delete", "--allow-delete-active", "--base", "-b", "--snapshot", "--settings-from",
        "--all-environments",
    }  # fmt: skip
    assert sorted(f.value for f in PlanFormat) == sorted(PLAN_FORMATS)
