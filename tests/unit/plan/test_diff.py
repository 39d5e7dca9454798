"""Topic plan behaviour the cases file (tests/unit/kinds/topic_cases.yaml) does not state as data:
request batching, the fingerprint, and topics the broker cannot describe."""

from __future__ import annotations

from kgov.cluster.memory.kafka import MemoryCluster

from .helpers import catalog, plan, topic


def test_reads_are_batched_whatever_the_number_of_topics() -> None:
    small, large = MemoryCluster(), MemoryCluster()
    for i in range(5):
        small.add_topic(f"svc.t{i}", 1, 3)
    for i in range(2000):
        large.add_topic(f"svc.t{i}", 1, 3)
    plan(catalog(*(topic(f"svc.t{i}", 1) for i in range(5))), small)
    plan(catalog(*(topic(f"svc.t{i}", 1) for i in range(2000))), large)
    # topics: metadata + configs; users: SCRAM credentials; ACLs: the ACLs. The ACL kind's check that
    # kgov sees the catalog's topics is answered from the topic kind's listing: one metadata per plan.
    reads = ["metadata", "describe_configs", "describe_user_scram_credentials", "describe_acls"]
    assert small.requests == large.requests == reads


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
