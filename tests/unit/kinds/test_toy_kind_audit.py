"""The toy kind in `kgov audit`: its drift, the budgets the catalog does not declare and the budgets
above its ceiling reach the audit's JSON, Markdown and HTML through the capabilities it declares
(tests/unit/kinds/toy/audit.py), with no edit in kgov/ (the audit names no kind)."""

from __future__ import annotations

from kgov.audit.build import audit_catalog, audit_cluster
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.render import audit_html, audit_markdown
from tests.unit.kinds.toy.kind import BudgetKind, ToyKafka
from tests.unit.plan.helpers import ENV, catalog, topic


def _cluster() -> ToyKafka:
    cluster = ToyKafka()
    cluster.add_topic("orders.created", 3, 3)
    cluster.toy.budgets.update(
        {"User:billing": 10, "User:orders": 5000, "User:stranger": 2000, "User:quiet": 5}
    )
    return cluster


def test_the_audit_reports_the_toy_kinds_drift_unmanaged_and_violations() -> None:
    cluster = _cluster()
    doc = audit_cluster(
        catalog(topic("orders.created")), ENV, Backends(kafka=cluster), kinds=(*KINDS, BudgetKind())
    ).to_json()
    assert doc["kinds"]["budget"] == "budgets"
    assert [(e["name"], e["action"]) for e in doc["drift"] if e["kind"] == "budget"] == [
        ("User:billing", "update"),
        ("User:orders", "update"),
    ]
    assert [(u["kind"], u["name"], u["detail"]) for u in doc["unmanaged"]] == [
        ("budget", "User:quiet", {"rate": 5}),
        ("budget", "User:stranger", {"rate": 2000}),
    ]
    # in the kinds' order: the broker settings' (the twin's brokers keep Kafka's defaults, which let
    # clients create topics) and the topics' first, the toy's last
    assert [(v["kind"], v["rule"]) for v in doc["violations"]] == [
        ("broker", "auto-create-topics"),
        ("broker", "delete-topic-enable"),
        ("topic", "min-insync-replicas"),
        ("budget", "budget-ceiling"),
        ("budget", "budget-ceiling"),
    ]
    assert doc["violations"][-2:] == [
        {
            "rule": "budget-ceiling",
            "kind": "budget",
            "name": "User:orders",
            "message": "User:orders may use 5000 KB/s, above the ceiling of 1000",
            "severity": "error",
            "hint": None,
        },
        {
            "rule": "budget-ceiling",
            "kind": "budget",
            "name": "User:stranger",
            "message": "User:stranger may use 2000 KB/s, above the ceiling of 1000",
            "severity": "error",
            "hint": None,
        },
    ]
    assert doc["summary"]["unmanaged"] == 2 and doc["summary"]["violations"] == len(doc["violations"])
    assert "alter_budgets" not in cluster.toy.requests  # the audit never writes

    markdown = audit_markdown.render(doc)
    assert "| budget | <code>User:stranger at 2000 KB/s</code> |" in markdown
    assert "| budget\\-ceiling | <code>User:stranger</code> | User:stranger may use 2000 KB/s" in markdown
    page = audit_html.render(doc)
    assert "<td>budget<td>User:stranger at 2000 KB/s" in page
    assert "<td>budget-ceiling<td>User:stranger<td>User:stranger may use 2000 KB/s" in page


def test_without_the_toy_the_audit_knows_no_budget() -> None:
    doc = audit_cluster(catalog(topic("orders.created")), ENV, Backends(kafka=_cluster())).to_json()
    assert "budget" not in doc["kinds"]
    assert not [x for x in (*doc["drift"], *doc["unmanaged"], *doc["violations"]) if x["kind"] == "budget"]


def test_catalog_only_asks_the_toy_with_nothing_read() -> None:
    doc = audit_catalog(catalog(topic("orders.created")), ENV, kinds=(*KINDS, BudgetKind())).to_json()
    assert doc["source"] == "catalog" and doc["violations"] == []
