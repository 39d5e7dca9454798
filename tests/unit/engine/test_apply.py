from __future__ import annotations

import pytest

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.apply import apply_plan, await_visible
from kgov.kinds.base import Backends
from kgov.state import TopicListing
from tests.unit.plan.helpers import catalog, plan, topic


def test_apply_then_plan_converges() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 3, 3, **{"segment.ms": "1000"})
    cluster.add_topic("orders.gone", 3, 3)
    cat = catalog(
        topic("orders.a", 6, retention_ms="86400000"),
        topic("orders.b", 2, compression_type="zstd"),
        delete=True,
    )
    p = plan(cat, cluster, allow_delete=True)
    results = apply_plan(p, Backends(kafka=cluster))
    assert all(r.ok for r in results)
    assert sorted((r.entry.address, r.entry.action) for r in results) == [
        ("topic.orders.a", "update"),
        ("topic.orders.b", "create"),
        ("topic.orders.gone", "delete"),
    ]
    assert not plan(cat, cluster, allow_delete=True).has_changes
    assert cluster.topics["orders.a"].config == {"retention.ms": "86400000"}
    assert cluster.topics["orders.a"].partitions == 6


def test_writes_are_one_request_per_kind_of_write_and_deletes_come_last() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.gone", 1, 3)
    cluster.add_topic("orders.grow", 1, 3)
    cat = catalog(
        *(topic(f"orders.t{i}") for i in range(300)), topic("orders.grow", 2, retention_ms="5"), delete=True
    )
    p = plan(cat, cluster, allow_delete=True)
    cluster.requests.clear()
    apply_plan(p, Backends(kafka=cluster))
    assert cluster.requests == [
        "create_topics",
        "create_partitions",
        "incremental_alter_configs",
        "delete_topics",
    ]


def test_partial_failure_is_reported_per_address_and_the_rest_goes_on() -> None:
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("orders.cfg", 3, 1)
    cluster.fail["orders.cfg"] = "POLICY_VIOLATION: no"
    cat = catalog(
        topic("orders.ok", 3, 1), topic("orders.bad", 3, 3), topic("orders.cfg", 3, 1, retention_ms="5")
    )
    results = {r.entry.address: r for r in apply_plan(plan(cat, cluster), Backends(kafka=cluster))}
    assert results["topic.orders.ok"].ok
    assert "INVALID_REPLICATION_FACTOR" in str(results["topic.orders.bad"].error)
    assert results["topic.orders.cfg"].error == "configs: POLICY_VIOLATION: no"
    del cluster.fail["orders.cfg"]
    fixed = catalog(
        topic("orders.ok", 3, 1), topic("orders.bad", 3, 1), topic("orders.cfg", 3, 1, retention_ms="5")
    )
    again = plan(fixed, cluster)
    assert sorted(e.address for e in again.entries) == ["topic.orders.bad", "topic.orders.cfg"]
    assert all(r.ok for r in apply_plan(again, Backends(kafka=cluster)))
    assert not plan(fixed, cluster).has_changes


def test_an_exception_in_one_batch_still_reports_every_entry_and_the_rest_goes_on() -> None:
    class Exploding(MemoryCluster):
        def create_partitions(self, counts: object) -> object:  # type: ignore[override]
            raise TypeError("expected int, got float")

    cluster = Exploding()
    cluster.add_topic("orders.grow", 1, 3)
    p = plan(catalog(topic("orders.new"), topic("orders.grow", 2)), cluster)
    results = {r.entry.address: r.error for r in apply_plan(p, Backends(kafka=cluster))}
    assert results == {
        "topic.orders.new": None,
        "topic.orders.grow": "not applied: TypeError: expected int, got float",
    }


def test_a_plan_with_blocked_entries_is_never_applied() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 6, 3)
    p = plan(catalog(topic("orders.a", 3), topic("orders.b")), cluster)
    with pytest.raises(ValueError):
        apply_plan(p, Backends(kafka=cluster))
    assert "orders.b" not in cluster.topics


class LaggingCluster(MemoryCluster):
    """Reads show the state as it was `lag` reads ago, like broker metadata trailing the controller."""

    def __init__(self, lag: int) -> None:
        super().__init__()
        self.lag = lag
        self.history: list[TopicListing] = []

    def list_topics(self) -> TopicListing:
        self.history.append(super().list_topics())
        return self.history[max(0, len(self.history) - 1 - self.lag)]


def test_await_visible_waits_for_lagging_metadata() -> None:
    cluster = LaggingCluster(lag=2)
    p = plan(catalog(topic("orders.a"), topic("orders.b")), cluster)
    results = apply_plan(p, Backends(kafka=cluster))
    reads_before = len(cluster.history)
    assert await_visible(p, results, Backends(kafka=cluster), timeout_s=5) == ()
    assert len(cluster.history) - reads_before == 3  # two stale reads, then the applied state


def test_await_visible_gives_up_at_the_deadline_and_names_what_is_missing() -> None:
    cluster = LaggingCluster(lag=10_000)
    p = plan(catalog(topic("orders.a")), cluster)
    results = apply_plan(p, Backends(kafka=cluster))
    assert await_visible(p, results, Backends(kafka=cluster), timeout_s=0.2) == ("create topic.orders.a",)


def test_what_is_not_yet_visible_is_named_a_few_at_a_time() -> None:
    from kgov.commands.apply import not_yet_visible

    few = tuple(f"create topic.orders.t{i}" for i in range(3))
    assert not_yet_visible(few) == (
        "not yet visible on the cluster after 30s: "
        "create topic.orders.t0, create topic.orders.t1, create topic.orders.t2"
    )
    many = tuple(f"create topic.orders.t{i}" for i in range(10_000))
    said = not_yet_visible(many)
    assert said.endswith("create topic.orders.t9 (and 9,990 more)")
    assert "t10," not in said and len(said) < 400
