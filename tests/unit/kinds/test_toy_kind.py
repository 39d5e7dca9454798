"""A new resource kind plugs in without touching plan making, apply, renderers or the summary:
a toy kind registered only in this test plans, renders (text, Markdown, JSON) and applies."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from rich.console import Console

from kgov.engine.apply import apply_plan, await_visible
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.plan.planfile import schema
from kgov.render import plan_markdown, plan_text
from tests.unit.kinds.toy.kind import BudgetKind, ToyKafka
from tests.unit.plan.helpers import catalog, plan, topic


def test_a_toy_kind_plans_renders_and_applies_through_the_in_memory_port() -> None:
    kinds = (*KINDS, BudgetKind())
    cluster = ToyKafka()
    cluster.toy.budgets["User:billing"] = 10
    cat = catalog(topic("orders.created"))
    p = plan(cat, cluster, kinds=kinds)
    doc = p.to_json()
    assert [e["address"] for e in doc["resource_changes"]] == [
        "topic.orders.created",
        "budget.User:billing",
        "budget.User:orders",
    ]
    assert doc["summary"]["budget"] == {
        "title": "budgets",
        "managed": 2,
        "create": 1,
        "update": 1,
        "delete": 0,
        "blocked": 0,
    }
    assert "budget" in doc["scope"]
    assert list(Draft202012Validator(schema()).iter_errors(doc)) == []

    console = Console(width=200, record=True, color_system=None)
    plan_text.render(doc, console)
    text = console.export_text()
    assert "budgets by principal" in text and "~ budget User:billing at 50 KB/s" in text
    assert "Plan: 2 to create, 1 to change, 0 to delete." in text
    markdown = plan_markdown.render(doc)
    assert "| budgets | 1 | 1 | 0 | 0 |" in markdown
    assert "#### budgets by principal" in markdown

    backends = Backends(kafka=cluster)
    results = apply_plan(p, backends, kinds)
    assert {r.entry.address: r.ok for r in results} == {
        "topic.orders.created": True,
        "budget.User:billing": True,
        "budget.User:orders": True,
    }
    assert await_visible(p, results, backends, kinds, timeout_s=1) == ()
    assert cluster.toy.budgets == {"User:billing": 50, "User:orders": 100}
    assert not plan(cat, cluster, kinds=kinds).has_changes
