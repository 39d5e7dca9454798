"""A review (`kgov diff`) as a pull-request comment a reviewer reads in one screen: the verdict and
the changes that need a look first, every change's details folded below. Every value escaped."""

from __future__ import annotations

from typing import Any

from kgov.render.diff_text import summary
from kgov.render.escape import md_code, md_text

_ICON = {"breaking": "🔴", "attention": "🟡", "safe": "🟢"}
_VERB = {"add": "add", "remove": "remove", "change": "change"}
MAX_HEADLINES = 15  # rows of the summary table: one screen
MAX_DETAILS = 200  # folded sections: a comment is limited to 65,536 characters


def _name(change: dict[str, Any]) -> str:
    return f"{md_text(change['kind'])} {md_code(change.get('label') or change['name'])}"


def _envs(change: dict[str, Any], compared: list[str]) -> str:
    """Only when the change concerns some of the compared environments, not all."""
    envs = change["environments"]
    return f" ({', '.join(md_text(e) for e in envs)})" if envs and set(envs) != set(compared) else ""


def _value(value: Any) -> str:
    return "*(unset)*" if value is None else md_code(value)


def _capacity(doc: dict[str, Any]) -> list[str]:
    """One line per environment: what its changes take in storage (docs/capacity.md)."""
    lines = [
        f"- capacity{' in ' + md_code(c['environment']) if c['environment'] else ''}: {md_text(c['line'])}"
        for c in doc.get("capacity", ())
    ]
    return [*lines, ""] if lines else []


def render(doc: dict[str, Any]) -> str:
    order = ("breaking", "attention", "safe")
    changes = sorted(doc["changes"], key=lambda c: order.index(c["class"]))
    lines = [
        f"### kgov diff against {md_code(doc['base'])} ({md_code(doc['base_commit'][:12])})",
        "",
        f"**{md_text(summary(doc))}**",
        "",
        *_capacity(doc),
    ]
    heads = [c for c in changes if c["class"] != "safe"]
    if heads:
        lines += ["| | change | why |", "|---|---|---|"]
        for c in heads[:MAX_HEADLINES]:
            why = "<br>".join(md_text(r["message"]) for r in c["reasons"] if r["class"] != "safe")
            what = f"{_VERB[c['action']]} {_name(c)}{_envs(c, doc['environments'])}"
            lines.append(f"| {_ICON[c['class']]} {c['class']} | {what} | {why} |")
        if len(heads) > MAX_HEADLINES:
            lines.append(f"| | … and {len(heads) - MAX_HEADLINES} more (below) | |")
        lines.append("")
    if changes:
        lines += [f"<details><summary>All {len(changes)} changes</summary>", ""]
        for c in changes[:MAX_DETAILS]:
            lines.append(
                f"{_ICON[c['class']]} **{_VERB[c['action']]}** {_name(c)}{_envs(c, doc['environments'])}"
            )
            lines.append("")
            if c["changes"]:
                lines += ["| field | before | after |", "|---|---|---|"]
                lines += [
                    f"| {md_code(r['field'])} | {_value(r['before'])} | {_value(r['after'])} |"
                    for r in c["changes"]
                ]
                lines.append("")
        if len(changes) > MAX_DETAILS:
            lines += [f"… and {len(changes) - MAX_DETAILS} more: run `kgov diff` for all of them.", ""]
        lines += ["</details>", ""]
    return "\n".join(lines)
