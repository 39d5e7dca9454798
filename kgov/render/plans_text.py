"""Several environments' plans for people, in the terminal (`kgov plan --env A --env B`).

Drawn from the multi-environment document (docs/plan-format.md "Many environments"): a section per
environment, its plan rendered exactly as a single plan is (kgov/render/plan_text.py), or what
failed for it; then the combined summary. Knows no kind by name.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from kgov.render import plan_text
from kgov.render.escape import visible


def status(part: dict[str, Any]) -> str:
    """One environment's outcome in a few words: failed, blocked, its summary line, no changes."""
    plan = part["plan"]
    if plan is None:
        return f"FAILED: {visible(part['error']['message'])}"
    if not plan["resource_changes"]:
        return "no changes"
    return plan_text.summary_line(plan["totals"])


def summary_lines(doc: dict[str, Any]) -> list[str]:
    """The combined summary: one line per environment, then the counts over all."""
    s = doc["summary"]
    lines = [f"  {visible(p['environment'])}: {status(p)}" for p in doc["plans"]]
    counts = f"{s['environments']} environments: {len(s['with_changes'])} with changes"
    if s["failed"]:
        counts += f", {len(s['failed'])} failed ({visible(', '.join(s['failed']))})"
    if s["blocked"]:
        counts += f", {len(s['blocked'])} with blocked changes ({visible(', '.join(s['blocked']))})"
    return [*lines, counts + ".", "Over all: " + plan_text.summary_line(s["totals"])]


def render(doc: dict[str, Any], console: Console) -> None:
    head = f"kgov plan for {len(doc['plans'])} environments: {visible(', '.join(doc['environments']))}"
    console.print(Text(head, style="bold"), soft_wrap=True, highlight=False)
    for part in doc["plans"]:
        rule = f"\n━━ environment '{visible(part['environment'])}' ━━"
        console.print(Text(rule, style="bold cyan"), soft_wrap=True, highlight=False)
        if part["plan"] is not None:
            plan_text.render(part["plan"], console)
            continue
        failed = Text(f"Planning failed: {visible(part['error']['message'])}", style="bold red")
        if part["error"]["hint"]:
            failed.append(f"\n  hint: {visible(part['error']['hint'])}", style="dim")
        console.print(failed, soft_wrap=True, highlight=False)
    console.print(Text("\n━━ summary ━━", style="bold cyan"), soft_wrap=True, highlight=False)
    console.print(Text("\n".join(summary_lines(doc)), style="bold"), soft_wrap=True, highlight=False)
