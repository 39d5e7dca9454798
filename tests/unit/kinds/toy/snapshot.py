"""The toy kind's snapshot: it saves its observed budgets (state_json) and answers a plan from them
for any principals its snapshot read (`kgov snapshot`, `kgov plan --snapshot`)."""

from __future__ import annotations

from typing import Any

from kgov.errors import PlanError
from kgov.kinds.base import Snapshotting
from kgov.plan.model import JSON


class ToySnapshot(Snapshotting):
    def snapshot_scope(self, scope: JSON) -> JSON:
        return {"principals": "all"}  # wider than a plan's: a changed catalog's principals too

    def state_from_json(self, doc: JSON) -> Any:
        return {str(p): int(q) for p, q in doc.items()}

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> Any:
        if taken.get("principals") != "all":
            raise PlanError("the snapshot read only some budgets; take a new snapshot")
        budgets = self.state_from_json(state)
        return {p: q for p, q in budgets.items() if p in scope["principals"]}
