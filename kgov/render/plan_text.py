"""A plan for people, in the terminal. Drawn from the plan's JSON like every other rendering, and
generic over entries: it knows no resource kind by name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from kgov.render.escape import visible

SYMBOL = {"create": "+", "update": "~", "delete": "-", "blocked": "!"}
_STYLE = {"+": "green", "~": "yellow", "-": "red", "!": "bold red"}
_DEFAULT = "(default)"


def summary_line(totals: dict[str, int]) -> str:
    line = f"Plan: {totals['create']} to create, {totals['update']} to change, {totals['delete']} to delete"
    if totals.get("blocked"):
        line += f", {totals['blocked']} blocked"
    return line + "."


def managed_line(summary: dict[str, Any]) -> str:
    parts = [f"{s['managed']} {s['title']}" for s in summary.values()]
    return ", ".join(parts) + " in the catalog" if parts else "nothing in the catalog"


def grouped(entries: list[dict[str, Any]]) -> Iterator[tuple[str | None, list[dict[str, Any]]]]:
    """Entries without a group first, then one run per group, in plan order."""
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(entry.get("group"), []).append(entry)
    yield from sorted(groups.items(), key=lambda item: item[0] is not None)


def value_text(value: Any) -> str:
    return _DEFAULT if value is None else visible(value)


def after_text(change: dict[str, Any]) -> str:
    if change["after"] is not None:
        return visible(change["after"])
    default = change.get("default")
    return f"{_DEFAULT} {visible(default)}" if default is not None else _DEFAULT


def headline(entry: dict[str, Any]) -> str:
    return (
        f"{SYMBOL[entry['action']]} {visible(entry['kind'])} {visible(entry.get('label') or entry['name'])}"
    )


def _table(*columns: str) -> Table:
    table = Table(box=None, show_header=True, header_style="dim", pad_edge=False, padding=(0, 2, 0, 4))
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _entry(entry: dict[str, Any]) -> RenderableType:
    symbol = SYMBOL[entry["action"]]
    parts: list[RenderableType] = [Text(headline(entry), style=_STYLE[symbol])]
    changes = entry["changes"]
    if changes and entry["action"] == "create":
        table = _table("key", "value")
        for change in changes:
            table.add_row(visible(change["field"]), visible(change["after"]))
        parts.append(table)
    elif changes and entry["action"] != "delete":
        table = _table("key", "current", "desired")
        for change in changes:
            if change["blocked"]:
                table.add_row(
                    Text(visible(change["field"]), style="red"),
                    value_text(change["before"]),
                    Text(f"{after_text(change)}  (blocked)", style="red"),
                )
            else:
                table.add_row(visible(change["field"]), value_text(change["before"]), after_text(change))
        parts.append(table)
    parts.extend(
        Text(f"    {visible(note)}", style="red" if symbol == "-" else "") for note in entry["notes"]
    )
    if entry["action"] == "blocked":
        parts.append(Text(f"    blocked: {visible(entry['reason'])}", style="red"))
        parts.append(Text(f"    hint: {visible(entry['hint'])}", style="dim"))
    return Group(*parts)


def render(doc: dict[str, Any], console: Console) -> None:
    console.print(
        Text(
            f"kgov plan for environment '{visible(doc['environment'])}' ({managed_line(doc['summary'])})",
            style="bold",
        )
    )
    entries = doc["resource_changes"]
    if not entries:
        console.print("\nNo changes. The cluster matches the catalog.")
    for group, members in grouped(entries):
        if group is not None:
            console.print()
            console.print(Text(visible(group), style="bold"))
        for entry in members:
            console.print()
            console.print(_entry(entry))
    if doc["warnings"]:
        console.print()
        console.print(Text("Warnings:", style="yellow"))
        for warning in doc["warnings"]:
            console.print(Text(f"  - {visible(warning)}"))
    console.print()
    console.print(Text(summary_line(doc["totals"]), style="bold"))
