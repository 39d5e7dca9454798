"""A plan for people, in the terminal. Drawn from the plan's JSON, like every other rendering."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

_STYLE = {"+": "green", "~": "yellow", "-": "red", "!": "bold red"}
_SYMBOL = {
    "create_topic": "+",
    "increase_partitions": "~",
    "alter_topic_config": "~",
    "delete_topic": "-",
    "blocked": "!",
}
_DEFAULT = "(default)"


def summary_line(summary: dict[str, int]) -> str:
    line = (
        f"Plan: {summary['create']} to create, {summary['change']} to change, {summary['delete']} to delete"
    )
    if summary.get("blocked"):
        line += f", {summary['blocked']} blocked"
    return line + "."


def _table(*columns: str) -> Table:
    table = Table(box=None, show_header=True, header_style="dim", pad_edge=False, padding=(0, 2, 0, 4))
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _by_resource(actions: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for action in actions:
        grouped.setdefault(action["name"], []).append(action)
    return grouped


def _resource(name: str, actions: list[dict[str, Any]]) -> RenderableType:
    kinds = {a["kind"] for a in actions}
    symbol = "!" if "blocked" in kinds else _SYMBOL[actions[0]["kind"]]
    parts: list[RenderableType] = [Text(f"{symbol} topic {name}", style=_STYLE[symbol])]
    if "create_topic" in kinds:
        [create] = actions
        table = _table("key", "value")
        table.add_row("partitions", str(create["partitions"]))
        table.add_row("replication_factor", str(create["replication_factor"]))
        for key, value in sorted(create["config"].items()):
            table.add_row(key, value)
        return Group(*parts, table)
    if "delete_topic" in kinds:
        [delete] = actions
        parts.append(Text(f"    delete: {delete['partitions']} partitions and all their data", style="red"))
        return Group(*parts)
    # one table of every change to the topic; blocked rows say so in place
    table = _table("key", "current", "desired")
    notes: list[RenderableType] = []
    for action in actions:
        if action["kind"] == "increase_partitions":
            table.add_row("partitions", str(action["current"]), str(action["desired"]))
        elif action["kind"] == "alter_topic_config":
            for change in action["changes"]:
                desired = change["desired"]
                if desired is None:
                    default = change.get("default")
                    desired = f"{_DEFAULT} {default}" if default is not None else _DEFAULT
                table.add_row(change["key"], change["current"] or _DEFAULT, desired)
        elif action["kind"] == "blocked":
            table.add_row(
                Text(action["field"], style="red"),
                action["current"],
                Text(f"{action['desired']}  (blocked)", style="red"),
            )
            notes.append(Text(f"    blocked: {action['reason']}", style="red"))
            notes.append(Text(f"    hint: {action['hint']}", style="dim"))
    return Group(*parts, table, *notes)


def render(doc: dict[str, Any], console: Console) -> None:
    console.print(
        Text(
            f"kgov plan for environment '{doc['environment']}' "
            f"({len(doc['scope']['topics'])} topics in the catalog)",
            style="bold",
        )
    )
    actions = doc["actions"]
    if not actions:
        console.print("\nNo changes. The cluster matches the catalog.")
    for name, group in _by_resource(actions).items():
        console.print()
        console.print(_resource(name, group))
    if doc["warnings"]:
        console.print()
        console.print(Text("Warnings:", style="yellow"))
        for warning in doc["warnings"]:
            console.print(Text(f"  - {warning}"))
    console.print()
    console.print(Text(summary_line(doc["summary"]), style="bold"))
