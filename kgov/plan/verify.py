"""Check a saved plan before apply: untouched since it was made, and still what the catalog and the
cluster give now. Apply never trusts a plan file's own scope or entries: it re-plans from the
catalog it is given and applies the saved plan only when both agree exactly."""

from __future__ import annotations

from pathlib import Path

from kgov.errors import PlanError
from kgov.plan.fingerprint import plan_fingerprint
from kgov.plan.model import Plan


def check_integrity(saved: Plan, plan_file: Path) -> None:
    expected = plan_fingerprint(
        saved.environment,
        saved.allow_delete,
        saved.scope,
        saved.state_digest,
        saved.entries,
        saved.scoped,
        saved.allow_delete_active,
    )
    if expected != saved.fingerprint:
        raise PlanError(
            f"{plan_file} was edited after kgov made it (its fingerprint does not match its content); "
            "nothing was applied",
            hint="apply only plans made by `kgov plan --out`; make a new one",
        )


def check_current(saved: Plan, fresh: Plan, plan_file: Path) -> None:
    """`fresh` is the plan made now from the catalog given to apply, with the saved plan's options."""
    if fresh.fingerprint == saved.fingerprint:
        return
    if fresh.scope != saved.scope:
        why = (
            "its scope is not the one the catalog implies "
            "(the catalog's resources or ownership changed, or the file was edited)"
        )
    elif fresh.state_digest != saved.state_digest:
        why = "the cluster changed"
    else:
        why = (
            "its entries are not what the catalog and the cluster give now "
            "(the catalog changed, or the file was edited)"
        )
    saved_addresses = {e.address for e in saved.entries}
    fresh_addresses = {e.address for e in fresh.entries}
    differ = sorted(saved_addresses ^ fresh_addresses) or sorted(
        a.address for a, b in zip(saved.entries, fresh.entries, strict=False) if a != b
    )
    detail = f" (differs at: {', '.join(differ[:5])}{' …' if len(differ) > 5 else ''})" if differ else ""
    raise PlanError(
        f"stale plan {plan_file} (made {saved.created_at}): {why}{detail}; nothing was applied",
        hint=f"make a new plan: kgov plan --env {saved.environment} --out {plan_file}",
    )
