"""A review (`kgov diff`) as plain text for a terminal or a CI log; every value shown escaped."""

from __future__ import annotations

from typing import Any

from kgov.render.escape import visible
from kgov.sanitize import safe_lines

_TAG = {"breaking": "BREAKING ", "attention": "ATTENTION", "safe": "safe     "}
_SIGN = {"add": "+", "remove": "-", "change": "~"}


def summary(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    if not s["total"]:
        return "No catalog changes."
    return (
        f"{s['breaking']} breaking, {s['attention']} need attention, {s['safe']} safe ({s['total']} changes)"
    )


def _where(change: dict[str, Any], compared: list[str]) -> str:
    envs = change["environments"]
    return f" [{', '.join(visible(e) for e in envs)}]" if envs and set(envs) != set(compared) else ""


def render(doc: dict[str, Any]) -> str:
    commit = visible(doc["base_commit"][:12])
    lines = [f"Catalog changes against {visible(doc['base'])} ({commit}): {summary(doc)}"]
    for change in sorted(doc["changes"], key=lambda c: ("breaking", "attention", "safe").index(c["class"])):
        name = change.get("label") or change["name"]
        where = change["location"]
        lines.append("")
        lines.append(
            f"{_TAG[change['class']]} {_SIGN[change['action']]} {visible(change['kind'])} {visible(name)}"
            f"{_where(change, doc['environments'])}  ({visible(where['file'])}:{where['line']})"
        )
        for reason in change["reasons"]:
            if reason["class"] != "safe" or len(change["reasons"]) == 1:
                lines.append(f"    {reason['class']}: {visible(reason['message'])}")
        for row in change["changes"]:
            before = "(unset)" if row["before"] is None else visible(row["before"])
            after = "(unset)" if row["after"] is None else visible(row["after"])
            lines.append(f"    {visible(row['field'])}: {before} → {after}")
    if doc.get("capacity"):
        lines.append("")
    for c in doc.get("capacity", ()):
        env = f" in {visible(c['environment'])}" if c["environment"] else ""
        lines.append(f"Capacity{env}: {visible(c['line'])}")
    return safe_lines("\n".join(lines) + "\n")  # a field or name beginning a line: no CI command
