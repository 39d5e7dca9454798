"""Lint diagnostics for humans: grouped by file, one line per problem with its hint, then a summary.

Each line starts with file:line:col, which terminals and editors turn into a link. Written as plain
text with a few ANSI colours (no rich: importing it costs more than linting a small catalog).
Messages and hints are printable excerpts already, so no value can carry an escape code.
"""

from __future__ import annotations

import os
from itertools import groupby
from typing import TextIO

from kgov.diagnostics import Severity
from kgov.policy.report import Report, hint, message, relative
from kgov.sanitize import safe_lines

_SGR: dict[object, str] = {
    "file": "1;4",
    "where": "2",
    "hint": "2",
    Severity.ERROR: "1;31",
    Severity.WARNING: "33",
    "rule": "36",
    "clean": "1;32",
    "failed": "1;31",
    "warned": "1;33",
}


def wants_colour(stream: TextIO) -> bool:
    """Colour on a terminal, unless NO_COLOR (no-color.org) or TERM=dumb; FORCE_COLOR forces it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def render(report: Report, *, colour: bool = False) -> str:
    """The report as text; `colour` adds ANSI styles."""

    def paint(text: str, style: object) -> str:
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if colour else text

    lines: list[str] = []
    for file, group in groupby(report.diagnostics, key=lambda d: d.location.file):
        path = relative(file)
        lines.append(paint(path, "file"))
        for d in group:
            where = paint(f"{path}:{d.location.line}:{d.location.col}", "where")
            severity = paint(d.severity.value.ljust(8), d.severity)
            lines.append(f"  {where}  {severity}{paint(d.rule, 'rule')}  {message(d)}")
            if d.hint:
                lines.append(paint("      hint: " + (hint(d) or ""), "hint"))
        lines.append("")
    state = "clean" if not report.diagnostics else "failed" if report.errors else "warned"
    lines.append(paint(report.summary_line(), state))
    return safe_lines("\n".join(lines) + "\n")  # a file name beginning a line: no CI command, no fence
