"""Every output's formats, one table each: format name -> renderer, in the order `--help` lists them
(the first is the default).

The command line offers exactly a table's names (kgov/cli/typer_app.py builds its choices from
them, kgov/cli/fastpath.py its hand-parsed ones) and each command takes its renderer from here, so
a new format is a renderer and one line in its table. Renderers load with their format (rich, the
rule docs and the HTML page cost start-up time): each entry below is a small function that imports
its renderer when called, and this module imports nothing heavy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kgov.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import Console

    from kgov.plan.model import Plan
    from kgov.policy.registry import Rule
    from kgov.policy.report import Report
    from kgov.render.apply_results import Outcome
    from kgov.schemas.model import Verdict

R = TypeVar("R")
Doc = dict[str, Any]  # an output's JSON document, which every rendering of it is drawn from


@dataclass(frozen=True)
class Formats(Generic[R]):
    """One output's formats: name -> renderer. The first is the default."""

    renderers: Mapping[str, R]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.renderers)

    @property
    def default(self) -> str:
        return self.names[0]

    def __contains__(self, name: object) -> bool:
        return name in self.renderers

    def __getitem__(self, name: str) -> R:
        """The renderer of `name`. The command line offers only the table's names; a caller from
        Python that names another gets the command line's message."""
        try:
            return self.renderers[name]
        except KeyError:
            hint = f"use one of {', '.join(self.names)}"
            raise ConfigError(f"unknown format '{name}'", hint=hint) from None


# lint: the report -> its text (written to stdout by the command)
def _lint_text(report: Report) -> str:
    from kgov.render import lint_text

    return lint_text.render(report, colour=lint_text.wants_colour(sys.stdout))


def _lint_json(report: Report) -> str:
    from kgov.render import lint_json

    return lint_json.render(report)


def _lint_sarif(report: Report) -> str:
    from kgov.render import sarif

    return sarif.render(report)


def _lint_github(report: Report) -> str:
    from kgov.render import github

    return github.render(report)


LINT: Formats[Callable[[Report], str]] = Formats(
    {"text": _lint_text, "json": _lint_json, "sarif": _lint_sarif, "github": _lint_github}
)


# rules: written to stdout (the text through rich, for its colours on a terminal)
def _rules_text(custom: tuple[Rule, ...]) -> None:
    from kgov.render import rules_text

    rules_text.render(custom)


def _rules_markdown(custom: tuple[Rule, ...]) -> None:
    from kgov.render import rules_markdown

    sys.stdout.write(rules_markdown.render(custom))  # kgov's own rules (docs/rules.md), then the catalog's


RULES: Formats[Callable[[tuple[Rule, ...]], None]] = Formats(
    {"text": _rules_text, "markdown": _rules_markdown}
)


# plan: the plan's JSON document, written to the command's console (or stdout)
PlanRenderer = Callable[[Doc, "Console"], None]


def _plan_text(doc: Doc, out: Console) -> None:
    from kgov.render import plan_text

    plan_text.render(doc, out)


def _plan_json(doc: Doc, out: Console) -> None:
    import json

    # On a terminal, coloured; else exactly the plan file's JSON, for a program to read.
    out.print_json(json.dumps(doc)) if out.is_terminal else print(json.dumps(doc, indent=2))


def _plan_markdown(doc: Doc, _out: Console) -> None:
    from kgov.render import plan_markdown

    print(plan_markdown.render(doc), end="")


PLAN: Formats[PlanRenderer] = Formats({"text": _plan_text, "json": _plan_json, "markdown": _plan_markdown})


# plan of several environments: the multi-environment document (kgov/plan/multi.py), same names
def _plans_text(doc: Doc, out: Console) -> None:
    from kgov.render import plans_text

    plans_text.render(doc, out)


def _plans_markdown(doc: Doc, _out: Console) -> None:
    from kgov.render import plans_markdown

    print(plans_markdown.render(doc), end="")


PLANS: Formats[PlanRenderer] = Formats({"text": _plans_text, "json": _plan_json, "markdown": _plans_markdown})


# apply: the results, and what is said before them
@dataclass(frozen=True)
class ApplyOutput:
    """How apply reports in one format: its results' renderer; the plan renderer that shows a plan
    made now before it is applied (None: not shown, the output stays one document); whether a plan
    with nothing to change still gets its (empty) results."""

    results: Callable[[Plan, Sequence[Outcome], Console], None]
    shows_plan: PlanRenderer | None = None
    always: bool = False


def _results_text(plan: Plan, results: Sequence[Outcome], out: Console) -> None:
    from kgov.render import apply_results

    apply_results.render_text(plan, results, out)


def _results_json(plan: Plan, results: Sequence[Outcome], out: Console) -> None:
    from kgov.render import apply_results

    apply_results.render_json(plan, results, out)


APPLY: Formats[ApplyOutput] = Formats(
    {
        "text": ApplyOutput(_results_text, shows_plan=_plan_text),
        "json": ApplyOutput(_results_json, always=True),
        "markdown": ApplyOutput(_results_text),  # the results as lines of text (none in Markdown yet)
    }
)


# diff: the review's JSON document -> its text (printed by the command)
def _diff_text(doc: Doc) -> str:
    from kgov.render import diff_text

    return diff_text.render(doc)


def _json_document(doc: Doc) -> str:
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _diff_markdown(doc: Doc) -> str:
    from kgov.render import diff_markdown

    return diff_markdown.render(doc)


def _diff_sarif(doc: Doc) -> str:
    from kgov.render import diff_sarif

    return diff_sarif.render(doc)


DIFF: Formats[Callable[[Doc], str]] = Formats(
    {"text": _diff_text, "json": _json_document, "markdown": _diff_markdown, "sarif": _diff_sarif}
)


# audit: the audit's JSON document -> its text (to stdout or --out)
def _audit_markdown(doc: Doc) -> str:
    from kgov.render import audit_markdown

    return audit_markdown.render(doc)


def _audit_html(doc: Doc) -> str:
    from kgov.render import audit_html

    return audit_html.render(doc)


AUDIT: Formats[Callable[[Doc], str]] = Formats(
    {"markdown": _audit_markdown, "html": _audit_html, "json": _json_document}
)


# schema check: the verdict and the new schema's file name -> its text (echoed by the command)
def _verdict_text(verdict: Verdict, new: str) -> str:
    from kgov.render import schema_check

    return schema_check.render_text(verdict, new)


def _verdict_json(verdict: Verdict, new: str) -> str:
    from kgov.render import schema_check

    return schema_check.render_json(verdict, new)


SCHEMA_CHECK: Formats[Callable[[Verdict, str], str]] = Formats({"text": _verdict_text, "json": _verdict_json})
