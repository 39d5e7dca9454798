from __future__ import annotations

from collections.abc import Sequence

import pytest

from kgov.apply import apply_plan, await_visible
from kgov.cluster.memory import MemoryCluster
from kgov.cluster.port import TopicInfo
from kgov.plan.make import make_plan

from .helpers import OWN, OWN_DELETE, desired, topic


def test_apply_then_plan_converges() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 3, 3, **{"segment.ms": "1000"})
    cluster.add_topic("orders.gone", 3, 3)
    want = desired(
        topic("orders.a", 6, retention_ms="86400000"), topic("orders.b", 2, compression_type="zstd")
    )
    plan = make_plan(want, cluster, OWN_DELETE, allow_delete=True)
    results = apply_plan(plan, cluster)
    assert all(r.ok for r in results)
    assert len(results) == len(plan.actions) == 4
    assert not make_plan(want, cluster, OWN_DELETE, allow_delete=True).has_changes
    assert cluster.topics["orders.a"].config == {"retention.ms": "86400000"}


def test_writes_are_one_request_per_kind() -> None:
    cluster = MemoryCluster()
    want = desired(*(topic(f"orders.t{i}") for i in range(300)))
    cluster.requests.clear()
    apply_plan(make_plan(want, cluster, OWN, allow_delete=False), cluster)
    assert cluster.requests == ["metadata", "describe_configs", "create_topics"]


def test_partial_failure_is_reported_per_action_and_the_rest_goes_on() -> None:
    cluster = MemoryCluster(brokers=1)
    want = desired(
        topic("orders.ok", 3, 1), topic("orders.bad", 3, 3), topic("orders.cfg", 3, 1, retention_ms="5")
    )
    cluster.add_topic("orders.cfg", 3, 1)
    cluster.fail["orders.cfg"] = "POLICY_VIOLATION: no"
    results = {
        r.action.name: r for r in apply_plan(make_plan(want, cluster, OWN, allow_delete=False), cluster)
    }
    assert results["orders.ok"].ok
    assert (
        results["orders.bad"].error is not None
        and "INVALID_REPLICATION_FACTOR" in results["orders.bad"].error
    )
    assert results["orders.cfg"].error == "POLICY_VIOLATION: no"
    # A re-run after fixing converges and redoes nothing that succeeded.
    del cluster.fail["orders.cfg"]
    fixed = desired(
        topic("orders.ok", 3, 1), topic("orders.bad", 3, 1), topic("orders.cfg", 3, 1, retention_ms="5")
    )
    again = make_plan(fixed, cluster, OWN, allow_delete=False)
    assert sorted(a.name for a in again.actions) == ["orders.bad", "orders.cfg"]
    assert all(r.ok for r in apply_plan(again, cluster))
    assert not make_plan(fixed, cluster, OWN, allow_delete=False).has_changes


def test_a_plan_with_blocked_actions_is_never_applied() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 6, 3)
    plan = make_plan(desired(topic("orders.a", 3), topic("orders.b")), cluster, OWN, allow_delete=False)
    with pytest.raises(ValueError):
        apply_plan(plan, cluster)
    assert "orders.b" not in cluster.topics


class LaggingCluster(MemoryCluster):
    """Reads show the state as it was `lag` reads ago, like broker metadata trailing the controller."""

    def __init__(self, lag: int) -> None:
        super().__init__()
        self.lag = lag
        self._history: list[list[TopicInfo]] = []

    def list_topics(self) -> Sequence[TopicInfo]:
        self._history.append(list(super().list_topics()))
        return self._history[max(0, len(self._history) - 1 - self.lag)]


def test_await_visible_waits_for_lagging_metadata() -> None:
    cluster = LaggingCluster(lag=2)
    plan = make_plan(desired(topic("orders.a"), topic("orders.b")), cluster, OWN, allow_delete=False)
    results = apply_plan(plan, cluster)
    reads_before = len(cluster._history)
    assert await_visible(plan, results, cluster, timeout_s=5) == ()
    assert len(cluster._history) - reads_before == 3  # two stale reads, then the applied state


def test_await_visible_gives_up_at_the_deadline_and_names_what_is_missing() -> None:
    cluster = LaggingCluster(lag=10_000)
    plan = make_plan(desired(topic("orders.a")), cluster, OWN, allow_delete=False)
    results = apply_plan(plan, cluster)
    assert await_visible(plan, results, cluster, timeout_s=0.2) == ("create_topic orders.a",)
