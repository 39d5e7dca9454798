"""Lint diagnostics for humans: grouped by file, one line per problem with its hint, then a summary.

Each line starts with file:line:col, which terminals and editors turn into a link.
"""

from __future__ import annotations

from itertools import groupby

from rich.console import Group, RenderableType
from rich.text import Text

from kgov.diagnostics import Severity
from kgov.policy.report import Report, hint, message, relative

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}


def render(report: Report) -> RenderableType:
    """A rich renderable of the report (plain Text parts: messages are never read as markup)."""
    parts: list[RenderableType] = []
    for file, group in groupby(report.diagnostics, key=lambda d: d.location.file):
        path = relative(file)
        parts.append(Text(path, style="bold underline"))
        for d in group:
            line = Text("  ")
            line.append(f"{path}:{d.location.line}:{d.location.col}", style="dim")
            line.append("  ")
            line.append(d.severity.value.ljust(8), style=_STYLE[d.severity])
            line.append(d.rule, style="cyan")
            line.append("  ")
            line.append(message(d))
            parts.append(line)
            if d.hint:
                parts.append(Text("      hint: " + (hint(d) or ""), style="dim"))
        parts.append(Text(""))
    style = "bold green" if not report.diagnostics else "bold red" if report.errors else "bold yellow"
    parts.append(Text(report.summary_line(), style=style))
    return Group(*parts)
