"""The access matrix and the data-flow graph, from bindings as Kafka's authorizer matches them."""

from __future__ import annotations

from kgov.audit.graph import data_flow
from kgov.bindings import Binding
from kgov.kinds.access_matrix import Cell, access_matrix
from kgov.kinds.topics.audit import broad_pii_access

TOPICS = ["orders.created", "orders.state", "ordersx", "pay.cards", "pay.refunds"]


def _cell(cells: tuple[Cell, ...], principal: str, topic: str) -> Cell | None:
    return next((c for c in cells if (c.principal, c.topic) == (principal, topic)), None)


def test_literal_prefixed_wildcard_and_deny() -> None:
    bindings = [
        Binding("User:orders", "topic", "literal", "orders.created", "WRITE"),
        Binding("User:orders", "topic", "literal", "orders.created", "DESCRIBE"),  # no right
        Binding("User:audit", "topic", "prefixed", "orders.", "READ"),
        Binding("User:*", "topic", "literal", "*", "READ"),
        Binding("User:ops", "topic", "literal", "pay.cards", "ALL"),
        Binding("User:ops", "topic", "prefixed", "pay.", "READ", "deny"),
        Binding("User:orders", "group", "literal", "orders-app", "READ"),
        Binding("User:ghost", "topic", "literal", "not.listed", "READ"),  # no such topic
    ]
    m = access_matrix(bindings, TOPICS)
    orders = _cell(m.cells, "User:orders", "orders.created")
    assert orders is not None and orders.allowed("produce") and not orders.allowed("consume")
    assert dict(orders.grants)["produce"] == ("allow User:orders WRITE topic orders.created",)
    # prefixed: orders.created and orders.state, not ordersx
    assert {c.topic for c in m.cells if c.principal == "User:audit"} == {"orders.created", "orders.state"}
    audit = _cell(m.cells, "User:audit", "orders.state")
    assert audit is not None and dict(audit.grants)["consume"] == (
        "allow User:audit READ topic orders.* (prefixed)",
    )
    # the wildcard principal on topic * reaches every topic, as its own row
    assert {c.topic for c in m.cells if c.principal == "User:*"} == set(TOPICS)
    # ALL grants every right; the prefixed deny takes consume away and names itself
    ops = _cell(m.cells, "User:ops", "pay.cards")
    assert ops is not None and ops.allowed("produce") and ops.allowed("admin") and not ops.allowed("consume")
    assert dict(ops.denied)["consume"] == ("deny User:ops READ topic pay.* (prefixed)",)
    assert "User:ghost" not in m.principals
    assert m.principals == ("User:*", "User:audit", "User:ops", "User:orders")


def test_graph_edges_follow_effective_rights() -> None:
    bindings = [
        Binding("User:orders", "topic", "literal", "orders.created", "WRITE"),
        Binding("User:ship", "topic", "literal", "orders.created", "READ"),
        Binding("User:ship", "group", "prefixed", "ship-", "READ"),
        Binding("User:ops", "topic", "literal", "pay.cards", "READ"),
        Binding("User:ops", "topic", "literal", "pay.cards", "READ", "deny"),
    ]
    g = data_flow(access_matrix(bindings, TOPICS), bindings)
    edges = {(e.source, e.target, e.relation) for e in g.edges}
    assert edges == {
        ("principal:User:orders", "topic:orders.created", "produces"),
        ("topic:orders.created", "principal:User:ship", "consumes"),
        ("principal:User:ship", "group:ship-*", "uses"),
    }  # the denied read draws no edge
    assert {n.kind for n in g.nodes} == {"principal", "topic", "group"}


def test_broad_access_to_pii_is_a_violation_and_literal_is_not() -> None:
    bindings = [
        Binding("User:crm", "topic", "literal", "pay.cards", "READ"),
        Binding("User:bi", "topic", "prefixed", "pay.", "READ"),
        Binding("User:*", "topic", "literal", "pay.refunds", "READ"),
    ]
    m = access_matrix(bindings, TOPICS)
    found = broad_pii_access(m, {"pay.cards": "pii", "pay.refunds": "pii"})
    assert sorted((v.name, v.message.split(" ")[0]) for v in found) == [
        ("pay.cards", "User:bi"),
        ("pay.refunds", "User:*"),
        ("pay.refunds", "User:bi"),
    ]
