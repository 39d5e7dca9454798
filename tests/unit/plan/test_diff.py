"""Topic diff behaviour through make_plan on the in-memory port (the cases file covers the rest)."""

from __future__ import annotations

from kgov.cluster.memory import MemoryCluster
from kgov.plan.model import Change

from .helpers import catalog, plan, topic


def test_missing_topic_is_created_with_its_explicit_configs() -> None:
    p = plan(catalog(topic("orders.created", 6, 3, retention_ms="604800000")), MemoryCluster())
    [entry] = p.entries
    assert (entry.address, entry.kind, entry.action) == ("topic.orders.created", "topic", "create")
    assert entry.after == {"partitions": 6, "replication_factor": 3, "config": {"retention.ms": "604800000"}}
    assert p.totals() == {"create": 1, "update": 0, "delete": 0, "blocked": 0}


def test_matching_topic_has_no_entries_even_when_cluster_writes_values_differently() -> None:
    cluster = MemoryCluster()
    cluster.add_topic(
        "orders.state", 6, 3, **{"cleanup.policy": "compact,delete", "retention.ms": "604800000"}
    )
    want = topic("orders.state", 6, 3, cleanup_policy="compact,delete", retention_ms="7d")
    p = plan(catalog(want), cluster)
    assert p.entries == ()
    assert not p.has_changes


def test_config_set_and_reset_of_a_key_removed_from_the_catalog() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.created", 3, 3, **{"retention.ms": "1000", "segment.ms": "3600000"})
    [entry] = plan(catalog(topic("orders.created", retention_ms="2000")), cluster).entries
    assert entry.action == "update"
    assert entry.changes == (
        Change("config.retention.ms", "1000", "2000", "set"),
        Change("config.segment.ms", "3600000", None, "reset", "604800000"),
    )


def test_blocked_entry_keeps_the_other_changes_of_the_same_topic_in_view() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 6, 1, **{"retention.ms": "1"})
    [entry] = plan(catalog(topic("orders.a", 3, 1)), cluster).entries
    assert entry.action == "blocked"
    assert [(c.field, c.blocked) for c in entry.changes] == [
        ("partitions", True),
        ("config.retention.ms", False),
    ]
    assert entry.reason is not None and "cannot decrease" in entry.reason


def test_protected_and_unowned_topics_are_never_read_or_touched_even_with_allow_delete() -> None:
    cluster = MemoryCluster()
    for name in ("__consumer_offsets", "_schemas", "billing.paid", "ordersx.y"):
        cluster.add_topic(name, 1, 1, **{"retention.ms": "1"})
    p = plan(catalog(topic("orders.created"), delete=True), cluster, allow_delete=True)
    assert [(e.address, e.action) for e in p.entries] == [("topic.orders.created", "create")]
    assert p.warnings == ()
    assert p.scope["topic"]["names"] == ["orders.created"]


def test_reads_are_batched_whatever_the_number_of_topics() -> None:
    small, large = MemoryCluster(), MemoryCluster()
    for i in range(5):
        small.add_topic(f"svc.t{i}", 1, 3)
    for i in range(2000):
        large.add_topic(f"svc.t{i}", 1, 3)
    plan(catalog(*(topic(f"svc.t{i}", 1) for i in range(5))), small)
    plan(catalog(*(topic(f"svc.t{i}", 1) for i in range(2000))), large)
    assert small.requests == large.requests == ["metadata", "describe_configs"]


def test_fingerprint_moves_when_an_in_scope_topic_changes_and_only_then() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.created", 3, 3)
    cat = catalog(topic("orders.created"))
    first = plan(cat, cluster).fingerprint
    cluster.add_topic("billing.paid", 3, 3)  # not ours: does not make the plan stale
    assert plan(cat, cluster).fingerprint == first
    cluster.topics["orders.created"].config["retention.ms"] = "5"
    assert plan(cat, cluster).fingerprint != first


def test_an_unreadable_topic_outside_the_scope_does_not_fail_the_plan() -> None:
    cluster = MemoryCluster()
    cluster.listing_errors["billing.secret"] = "TOPIC_AUTHORIZATION_FAILED: no"
    assert [e.action for e in plan(catalog(topic("orders.a")), cluster).entries] == ["create"]


def test_an_unreadable_topic_inside_the_scope_stops_the_plan() -> None:
    import pytest

    from kgov.errors import ClusterError

    cluster = MemoryCluster()
    cluster.listing_errors["orders.a"] = "TOPIC_AUTHORIZATION_FAILED: no"
    with pytest.raises(ClusterError) as caught:
        plan(catalog(topic("orders.a")), cluster)
    assert "orders.a" in caught.value.message and "TOPIC_AUTHORIZATION_FAILED" in caught.value.message
