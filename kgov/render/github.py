"""Lint diagnostics as GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from kgov.diagnostics import Severity
from kgov.policy.report import Report, hint, message, relative

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        loc = d.location
        props = (
            f"file={_property(relative(loc.file))},line={loc.line},col={loc.col},title={_property(d.rule)}"
        )
        text = message(d) + (f"\nhint: {hint(d)}" if d.hint else "")
        lines.append(f"::{_COMMAND[d.severity]} {props}::{_data(text)}")
    lines.append(report.summary_line())
    return "\n".join(lines) + "\n"
