"""The toy kind: byte-rate budgets by principal, a kind kgov does not have, defined only in tests.

It lives in its own package, as a real kind lives in kgov/kinds/<kind>/: the tests next to it show
that the core serves every capability it declares with no edit outside this package (and a test
asserts the core's files never mention it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.kinds.base import PHASE_DELETES, PHASE_GRANTS, DiffContext
from kgov.plan.model import JSON, Change, Entry
from tests.unit.kinds.toy.audit import AuditsBudgets
from tests.unit.kinds.toy.imports import ImportsBudgets
from tests.unit.kinds.toy.review import BudgetReview
from tests.unit.kinds.toy.snapshot import ToySnapshot


@dataclass
class ToyStore:
    """The toy kind's backend: budgets by principal. It rides on the Kafka port of Backends."""

    budgets: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class ToyKafka(MemoryCluster):
    def __init__(self) -> None:
        super().__init__()
        self.toy = ToyStore()


class BudgetKind(ImportsBudgets, ToySnapshot, BudgetReview, AuditsBudgets):
    name = "budget"
    title = "budgets"
    backend = "kafka"
    order: Mapping[str, int] = {"create": PHASE_GRANTS, "update": PHASE_GRANTS, "delete": PHASE_DELETES}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, int]:
        return {"User:orders": 100, "User:billing": 50}

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        return {"principals": sorted(desired)}

    def observe(self, backend: ToyKafka, scope: JSON) -> dict[str, int]:
        backend.toy.requests.append("describe_budgets")  # one read, whatever the count
        wanted = scope["principals"]
        return {p: q for p, q in backend.toy.budgets.items() if wanted == "all" or p in wanted}

    def state_json(self, observed: dict[str, int]) -> JSON:
        return dict(sorted(observed.items()))

    def diff(
        self, desired: Mapping[str, Any], observed: dict[str, int], ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        out = []
        for principal, rate in sorted(desired.items()):
            have = observed.get(principal)
            if have != rate:
                out.append(
                    Entry(
                        address=f"budget.{principal}",
                        kind="budget",
                        name=principal,
                        action="create" if have is None else "update",
                        before=None if have is None else {"rate": have},
                        after={"rate": rate},
                        changes=(Change("rate", have, rate),),
                        group="budgets by principal",
                        label=f"{principal} at {rate} KB/s",
                    )
                )
        return out, []

    def apply(self, backend: ToyKafka, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        backend.toy.requests.append("alter_budgets")  # one batched write
        for e in entries:
            backend.toy.budgets[e.name] = e.after["rate"]
        return {e.address: None for e in entries}

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        return {"principals": sorted(e.name for e in entries)}

    def visible(self, entry: Entry, observed: dict[str, int]) -> bool:
        return observed.get(entry.name) == entry.after["rate"]
