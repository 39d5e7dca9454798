"""A new resource kind plugs in without touching plan making, apply, renderers or the summary:
a toy kind registered only in this test plans, renders (text, Markdown, JSON) and applies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from rich.console import Console

from kgov.catalog.model import Catalog, Environment
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.apply import apply_plan, await_visible
from kgov.kinds import KINDS
from kgov.kinds.base import PHASE_DELETES, PHASE_GRANTS, Backends, DiffContext
from kgov.plan.model import JSON, Change, Entry
from kgov.plan.planfile import schema
from kgov.render import plan_markdown, plan_text
from tests.unit.plan.helpers import catalog, plan, topic


@dataclass
class ToyStore:
    """The toy kind's backend: quotas by principal. It rides on the Kafka port of Backends."""

    quotas: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class ToyKafka(MemoryCluster):
    def __init__(self) -> None:
        super().__init__()
        self.toy = ToyStore()


class QuotaKind:
    name = "quota"
    title = "quotas"
    backend = "kafka"
    order: Mapping[str, int] = {"create": PHASE_GRANTS, "update": PHASE_GRANTS, "delete": PHASE_DELETES}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, int]:
        return {"User:orders": 100, "User:billing": 50}

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        return {"principals": sorted(desired)}

    def observe(self, backend: ToyKafka, scope: JSON) -> dict[str, int]:
        backend.toy.requests.append("describe_quotas")  # one read, whatever the count
        return {p: q for p, q in backend.toy.quotas.items() if p in scope["principals"]}

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
                        address=f"quota.{principal}",
                        kind="quota",
                        name=principal,
                        action="create" if have is None else "update",
                        before=None if have is None else {"rate": have},
                        after={"rate": rate},
                        changes=(Change("rate", have, rate),),
                        group="quotas by principal",
                        label=f"{principal} at {rate} KB/s",
                    )
                )
        return out, []

    def apply(self, backend: ToyKafka, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        backend.toy.requests.append("alter_quotas")  # one batched write
        for e in entries:
            backend.toy.quotas[e.name] = e.after["rate"]
        return {e.address: None for e in entries}

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        return {"principals": sorted(e.name for e in entries)}

    def visible(self, entry: Entry, observed: dict[str, int]) -> bool:
        return observed.get(entry.name) == entry.after["rate"]


def test_a_toy_kind_plans_renders_and_applies_through_the_in_memory_port() -> None:
    kinds = (*KINDS, QuotaKind())
    cluster = ToyKafka()
    cluster.toy.quotas["User:billing"] = 10
    cat = catalog(topic("orders.created"))
    p = plan(cat, cluster, kinds=kinds)
    doc = p.to_json()
    assert [e["address"] for e in doc["resource_changes"]] == [
        "topic.orders.created",
        "quota.User:billing",
        "quota.User:orders",
    ]
    assert doc["summary"]["quota"] == {
        "title": "quotas",
        "managed": 2,
        "create": 1,
        "update": 1,
        "delete": 0,
        "blocked": 0,
    }
    assert "quota" in doc["scope"]
    assert list(Draft202012Validator(schema()).iter_errors(doc)) == []

    console = Console(width=200, record=True, color_system=None)
    plan_text.render(doc, console)
    text = console.export_text()
    assert "quotas by principal" in text and "~ quota User:billing at 50 KB/s" in text
    assert "Plan: 2 to create, 1 to change, 0 to delete." in text
    markdown = plan_markdown.render(doc)
    assert "| quotas | 1 | 1 | 0 | 0 |" in markdown
    assert "#### quotas by principal" in markdown

    backends = Backends(kafka=cluster)
    results = apply_plan(p, backends, kinds)
    assert {r.entry.address: r.ok for r in results} == {
        "topic.orders.created": True,
        "quota.User:billing": True,
        "quota.User:orders": True,
    }
    assert await_visible(p, results, backends, kinds, timeout_s=1) == ()
    assert cluster.toy.quotas == {"User:billing": 50, "User:orders": 100}
    assert not plan(cat, cluster, kinds=kinds).has_changes
