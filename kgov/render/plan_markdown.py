"""A plan as Markdown for a pull-request comment: summary table, one foldable section per resource."""

from __future__ import annotations

from typing import Any

from kgov.render.plan_text import summary_line

_TITLE = {
    "create_topic": "create",
    "increase_partitions": "change",
    "alter_topic_config": "change",
    "delete_topic": "delete",
    "blocked": "BLOCKED",
}
_ICON = {"create": "🟢", "change": "🟡", "delete": "🔴", "BLOCKED": "⛔"}


class _Reset:
    """A reset to Kafka's default, shown with the default's value when known."""

    def __init__(self, default: str | None) -> None:
        self.default = default


def _cell(value: object) -> str:
    if isinstance(value, _Reset):
        return "*(default)*" + (f" `{value.default}`" if value.default is not None else "")
    text = "" if value is None else str(value)
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`" if text else "*(default)*"


def render(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    lines = [
        f"### kgov plan: `{doc['environment']}`",
        "",
        "| resource | create | change | delete | blocked |",
        "|---|---:|---:|---:|---:|",
        f"| topics | {s['create']} | {s['change']} | {s['delete']} | {s['blocked']} |",
        "",
    ]
    if not doc["actions"]:
        lines.append("No changes. The cluster matches the catalog.")
    grouped: dict[str, list[dict[str, Any]]] = {}
    for action in doc["actions"]:
        grouped.setdefault(action["name"], []).append(action)
    for name, actions in grouped.items():
        title = "BLOCKED" if any(a["kind"] == "blocked" for a in actions) else _TITLE[actions[0]["kind"]]
        lines += [f"<details><summary>{_ICON[title]} {title} topic <code>{name}</code></summary>", ""]
        rows: list[tuple[str, object, object]] = []
        notes: list[str] = []
        for a in actions:
            if a["kind"] == "create_topic":
                rows += [
                    ("partitions", None, a["partitions"]),
                    ("replication_factor", None, a["replication_factor"]),
                ]
                rows += [(k, None, v) for k, v in sorted(a["config"].items())]
            elif a["kind"] == "increase_partitions":
                rows.append(("partitions", a["current"], a["desired"]))
            elif a["kind"] == "alter_topic_config":
                rows += [
                    (
                        c["key"],
                        c["current"],
                        _Reset(c.get("default")) if c["desired"] is None else c["desired"],
                    )
                    for c in a["changes"]
                ]
            elif a["kind"] == "delete_topic":
                notes.append(f"Deletes the topic and all its data ({a['partitions']} partitions).")
            elif a["kind"] == "blocked":
                rows.append((a["field"], a["current"], a["desired"]))
                notes.append(f"**Blocked:** {a['reason']}. *Fix:* {a['hint']}.")
        if rows:
            lines += ["| key | current | desired |", "|---|---|---|"]
            lines += [f"| `{k}` | {_cell(cur)} | {_cell(want)} |" for k, cur, want in rows]
            lines.append("")
        lines += [*notes, "", "</details>", ""] if notes else ["</details>", ""]
    if doc["warnings"]:
        lines += ["> [!WARNING]", *[f"> - {w}" for w in doc["warnings"]], ""]
    lines.append(f"**{summary_line(s)}**")
    return "\n".join(lines) + "\n"
