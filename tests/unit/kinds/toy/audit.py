"""The toy kind in `kgov audit`: budgets the store holds for principals the catalog does not name
(unmanaged), and budgets above a ceiling (violations), as a real kind's kinds/<kind>/audit.py does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kgov.kinds.base import AuditView, DiffContext, FindsUnmanaged, FindsViolations, Unmanaged, Violation

KIND = "budget"
CEILING = 1000  # KB/s: a principal allowed more can starve its neighbours


class AuditsBudgets(FindsUnmanaged, FindsViolations):
    def unmanaged(
        self, backend: Any, desired: Mapping[str, Any], observed: dict[str, int], ctx: DiffContext
    ) -> list[Unmanaged]:
        backend.toy.requests.append("describe_budgets")  # one read of every principal's budget
        return [
            Unmanaged(KIND, p, f"{p} at {rate} KB/s", {"rate": rate})
            for p, rate in sorted(backend.toy.budgets.items())
            if p not in desired
        ]

    def violations(
        self,
        observed: dict[str, int] | None,
        unmanaged: Sequence[Unmanaged],
        ctx: DiffContext,
        view: AuditView,
    ) -> list[Violation]:
        rates = dict(observed or {})  # None: `audit --catalog-only`, nothing read
        rates.update({u.name: u.detail["rate"] for u in unmanaged})
        return [
            Violation("budget-ceiling", KIND, p, f"{p} may use {rate} KB/s, above the ceiling of {CEILING}")
            for p, rate in sorted(rates.items())
            if rate > CEILING
        ]
