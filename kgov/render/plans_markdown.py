"""Several environments' plans as one pull-request comment (`kgov plan --env A --env B -f markdown`).

A combined table first (one row per environment), then each environment's plan rendered exactly as a
single plan's comment (kgov/render/plan_markdown.py); a long section (more than `OPEN_UP_TO`
entries) or a failed one is folded in <details> under a line that says what it holds, so the comment
stays readable with many clusters. Every value escaped; no kind named.
"""

from __future__ import annotations

from typing import Any

from kgov.render import plan_markdown
from kgov.render.escape import md_code, md_text
from kgov.render.plan_text import summary_line
from kgov.render.plans_text import status

OPEN_UP_TO = 10  # entries shown unfolded; more are folded under the environment's summary line


def _row(part: dict[str, Any]) -> str:
    plan = part["plan"]
    env = md_code(part["environment"])
    if plan is None:
        return f"| {env} | ⛔ failed | | | | |"
    t = plan["totals"]
    verdict = "⛔ blocked" if t["blocked"] else ("changes" if plan["resource_changes"] else "no changes")
    return f"| {env} | {verdict} | {t['create']} | {t['update']} | {t['delete']} | {t['blocked']} |"


def _section(part: dict[str, Any]) -> list[str]:
    plan = part["plan"]
    env = md_code(part["environment"])
    if plan is None:
        error = part["error"]
        body = [f"**Planning failed:** {md_text(error['message'])}"]
        body += [f"*Hint:* {md_text(error['hint'])}"] if error["hint"] else []
        head = f"<details open><summary>⛔ {env}: planning failed</summary>"
        return [head, "", *body, "", "</details>", ""]
    rendered = plan_markdown.render(plan)
    if len(plan["resource_changes"]) <= OPEN_UP_TO:
        return [rendered]
    title = f"{env}: {md_text(status(part))} ({len(plan['resource_changes'])} entries)"
    return [f"<details><summary>{title}</summary>", "", rendered, "</details>", ""]


def render(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    lines = [
        f"## kgov plan: {len(doc['plans'])} environments",
        "",
        "| environment | status | create | change | delete | blocked |",
        "|---|---|---:|---:|---:|---:|",
        *[_row(p) for p in doc["plans"]],
        "",
        f"**Over all: {summary_line(s['totals'])}**"
        + (f" Failed: {', '.join(md_code(e) for e in s['failed'])}." if s["failed"] else ""),
        "",
    ]
    for part in doc["plans"]:
        lines += _section(part)
    return "\n".join(lines).rstrip("\n") + "\n"
