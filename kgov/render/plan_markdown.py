"""A plan as Markdown for a pull-request comment: a summary table with a row per kind, then one
foldable section per resource. Generic over entries; every value is escaped (a catalog value must
not break out of its cell and hide the rest of the plan from a reviewer)."""

from __future__ import annotations

from typing import Any

from kgov.render.escape import md_code, md_text
from kgov.render.plan_text import SYMBOL, capacity_line, grouped, scoped_line, summary_line

_TITLE = {
    "create": "create",
    "update": "change",
    "reassign": "reassign",
    "delete": "delete",
    "blocked": "BLOCKED",
}
_ICON = {"create": "🟢", "update": "🟡", "reassign": "🔁", "delete": "🔴", "blocked": "⛔"}


def _value(value: Any, change: dict[str, Any] | None = None) -> str:
    if value is not None:
        return md_code(value)
    default = change.get("default") if change else None
    return "*(default)*" + (f" {md_code(default)}" if default is not None else "")


def _entry(entry: dict[str, Any]) -> list[str]:
    action = entry["action"]
    name = entry.get("label") or entry["name"]
    title = f"{_ICON[action]} {_TITLE[action]} {md_text(entry['kind'])} {md_code(name)}"
    lines = [f"<details><summary>{title}</summary>", ""]
    changes = entry["changes"]
    if changes and action == "create":
        lines += ["| key | value |", "|---|---|"]
        lines += [f"| {md_code(c['field'])} | {_value(c['after'])} |" for c in changes]
        lines.append("")
    elif changes and action != "delete":
        lines += ["| key | current | desired |", "|---|---|---|"]
        for c in changes:
            after = _value(c["after"], c) + (" **(blocked)**" if c["blocked"] else "")
            lines.append(f"| {md_code(c['field'])} | {_value(c['before'])} | {after} |")
        lines.append("")
    notes = [md_text(n) for n in entry["notes"]]
    if action == "blocked":
        notes.append(f"**Blocked:** {md_text(entry['reason'])}. *Fix:* {md_text(entry['hint'])}.")
    return [*lines, *notes, *([""] if notes else []), "</details>", ""]


def render(doc: dict[str, Any]) -> str:
    lines = [
        f"### kgov plan: {md_code(doc['environment'])}",
        "",
        *([f"*{md_text(scoped_line(doc['scoped']))}*", ""] if doc.get("scoped") else []),
        "| resource | create | change | delete | blocked |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in doc["summary"].values():
        lines.append(
            f"| {md_text(s['title'])} | {s['create']} | {s['update']} | {s['delete']} | {s['blocked']} |"
        )
    lines.append("")
    if not doc["resource_changes"]:
        lines.append("No changes. The cluster matches the catalog.")
    for group, members in grouped(doc["resource_changes"]):
        if group is not None:
            lines += [f"#### {md_text(group)}", ""]
            for e in members:
                lines.append(f"- `{SYMBOL[e['action']]}` {md_text(e.get('label') or e['name'])}")
                lines += [f"  - {md_text(n)}" for n in e["notes"]]  # a delete's evidence, beside it
                if e["action"] == "blocked":
                    lines.append(f"  - **Blocked:** {md_text(e['reason'])}. *Fix:* {md_text(e['hint'])}.")
            lines.append("")
        else:
            for entry in members:
                lines += _entry(entry)
    if doc["warnings"]:
        lines += ["> [!WARNING]", *[f"> - {md_text(w)}" for w in doc["warnings"]], ""]
    lines.append(f"**{summary_line(doc['totals'])}**")
    if doc.get("capacity"):
        lines += ["", md_text(capacity_line(doc["capacity"]))]
    return "\n".join(lines) + "\n"
