"""The toy kind's review (`kgov diff --base`): its own change classes and where a budget is written.

A lowered budget throttles its principal's clients harder (breaking), a raised or new one is safe, a
removed one needs attention. A budget belongs to its principal, so it is located at the principal's
acls file. Served by kgov/review/compare.py through the capabilities alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kgov.catalog.model import Catalog
from kgov.diagnostics import Location
from kgov.kinds.base import ClassifiesChanges, ComparesJson, Locates
from kgov.kinds.reasons import ATTENTION, BREAKING, SAFE
from kgov.plan.model import JSON


class BudgetReview(ComparesJson, ClassifiesChanges, Locates):
    def desired_json(self, value: Any) -> JSON:
        return {"rate": value}  # a reviewer reads "rate: 100 → 50", not a bare number

    def classify(
        self, name: str, before: JSON, after: JSON, head: Catalog, base: Catalog
    ) -> Sequence[tuple[str, str, str]]:
        if after is None:
            return [("budget-removed", ATTENTION, f"{name} is no longer throttled")]
        if before is None:
            return [("budget-added", SAFE, f"{name} is throttled at {after['rate']} KB/s")]
        old, new = before["rate"], after["rate"]
        if new < old:
            why = f"{name}: {old} → {new} KB/s: its clients are throttled harder"
            return [("budget-lowered", BREAKING, why)]
        return [("budget-raised", SAFE, f"{name}: {old} → {new} KB/s")]

    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        access = next((f for f in catalog.access_files if f.principal == name), None)
        return access.loc("principal") if access is not None else None
