"""What apply did, entry by entry: a JSON document (docs/plan-format.md) or lines for people.

Generic over entries like every renderer: it reads an outcome's plan entry and error, never the
kind. An outcome is any object with `entry`, `ok` and `error` (kgov/engine/apply.py's EntryResult), so the
renderers need nothing of the engine that made it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from rich.console import Console
from rich.text import Text

from kgov.plan.model import Entry, Plan
from kgov.render.escape import visible


class Outcome(Protocol):
    @property
    def entry(self) -> Entry: ...

    @property
    def ok(self) -> bool: ...

    @property
    def error(self) -> str | None: ...


def results_json(plan: Plan, results: Sequence[Outcome]) -> dict[str, object]:
    failed = sum(not r.ok for r in results)
    return {
        "format_version": 2,
        "environment": plan.environment,
        "results": [
            {
                "address": r.entry.address,
                "kind": r.entry.kind,
                "name": r.entry.name,
                "action": r.entry.action,
                "ok": r.ok,
                "error": r.error,
            }
            for r in results
        ],
        "summary": {"succeeded": len(results) - failed, "failed": failed},
    }


def render_json(plan: Plan, results: Sequence[Outcome], _out: Console) -> None:
    print(json.dumps(results_json(plan, results), indent=2))


def render_text(plan: Plan, results: Sequence[Outcome], out: Console) -> None:
    if not results:
        out.print("No changes. The cluster matches the catalog.")
        return
    failed = [r for r in results if not r.ok]
    for r in results:
        e = r.entry
        line = f"{e.action} {visible(e.kind)} {visible(e.label or e.name)}"
        if r.ok:
            out.print(Text.assemble(("✓ ", "green"), line))
        else:
            out.print(Text.assemble(("✗ ", "red"), line, ": ", visible(r.error)))
    out.print(
        Text(f"\nApply complete: {len(results) - len(failed)} succeeded, {len(failed)} failed.", style="bold")
    )
    if failed:
        out.print("Fix the failures and run the same command again; what succeeded will not be redone.")
