from __future__ import annotations

from kgov.cluster.memory import MemoryCluster
from kgov.plan.make import make_plan
from kgov.plan.model import (
    AlterTopicConfig,
    Blocked,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    IncreasePartitions,
)

from .helpers import OWN, OWN_DELETE, desired, topic


def test_missing_topic_is_created_with_its_explicit_configs() -> None:
    cluster = MemoryCluster()
    plan = make_plan(
        desired(topic("orders.created", 6, 3, retention_ms="604800000")), cluster, OWN, allow_delete=False
    )
    assert plan.actions == (CreateTopic("orders.created", 6, 3, {"retention.ms": "604800000"}),)
    assert plan.summary() == {"create": 1, "change": 0, "delete": 0, "blocked": 0}


def test_matching_topic_has_no_actions_even_when_cluster_writes_values_differently() -> None:
    cluster = MemoryCluster()
    cluster.add_topic(
        "orders.state", 6, 3, **{"cleanup.policy": "compact,delete", "retention.ms": "604800000"}
    )
    want = topic("orders.state", 6, 3, cleanup_policy="compact,delete", retention_ms="604800000")
    plan = make_plan(desired(want), cluster, OWN, allow_delete=False)
    assert plan.actions == ()
    assert not plan.has_changes


def test_config_set_and_reset_of_a_key_removed_from_the_catalog() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.created", 3, 3, **{"retention.ms": "1000", "segment.ms": "3600000"})
    plan = make_plan(desired(topic("orders.created", retention_ms="2000")), cluster, OWN, allow_delete=False)
    assert plan.actions == (
        AlterTopicConfig(
            "orders.created",
            (
                ConfigChange("retention.ms", "1000", "2000"),
                ConfigChange("segment.ms", "3600000", None, "604800000"),
            ),
        ),
    )


def test_partition_increase_is_planned_and_decrease_is_blocked() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 3, 3)
    cluster.add_topic("orders.b", 12, 3)
    plan = make_plan(desired(topic("orders.a", 6), topic("orders.b", 6)), cluster, OWN, allow_delete=False)
    assert IncreasePartitions("orders.a", 3, 6) in plan.actions
    [blocked] = plan.blocked
    assert (blocked.name, blocked.field, blocked.current, blocked.desired) == (
        "orders.b",
        "partitions",
        "12",
        "6",
    )
    assert "cannot decrease" in blocked.reason


def test_replication_factor_change_is_blocked_not_skipped() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 3, 1)
    plan = make_plan(desired(topic("orders.a", 3, 3)), cluster, OWN, allow_delete=False)
    assert [(b.field, b.current, b.desired) for b in plan.blocked] == [("replication_factor", "1", "3")]
    assert "reassign" in plan.blocked[0].hint


def test_orphans_are_only_deleted_with_ownership_delete_and_allow_delete() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.old", 3, 3)
    want = desired(topic("orders.created"))
    cluster.add_topic("orders.created", 3, 3)
    for ownership, allow in ((OWN, False), (OWN, True), (OWN_DELETE, False)):
        plan = make_plan(want, cluster, ownership, allow_delete=allow)
        assert not any(isinstance(a, DeleteTopic) for a in plan.actions)
        assert any("orders.old" in w for w in plan.warnings)
    plan = make_plan(want, cluster, OWN_DELETE, allow_delete=True)
    assert plan.actions == (DeleteTopic("orders.old", 3, 3),)


def test_protected_and_unowned_topics_are_never_touched_even_with_allow_delete() -> None:
    cluster = MemoryCluster()
    for name in ("__consumer_offsets", "_schemas", "billing.paid", "ordersx.y"):
        cluster.add_topic(name, 1, 1, **{"retention.ms": "1"})
    plan = make_plan(desired(topic("orders.created")), cluster, OWN_DELETE, allow_delete=True)
    assert [type(a) for a in plan.actions] == [CreateTopic]
    assert plan.warnings == ()
    # Protected topics are not even read: their configs are never requested.
    assert set(plan.scope.topics) == {"orders.created"}


def test_catalog_topic_matching_a_protected_pattern_is_blocked() -> None:
    cluster = MemoryCluster()
    plan = make_plan(desired(topic("_orders.internal")), cluster, OWN, allow_delete=False)
    assert [b.field for b in plan.blocked] == ["name"]


def test_reads_are_batched_whatever_the_number_of_topics() -> None:
    small, large = MemoryCluster(), MemoryCluster()
    for i in range(5):
        small.add_topic(f"svc.t{i}", 1, 3)
    for i in range(2000):
        large.add_topic(f"svc.t{i}", 1, 3)
    make_plan(desired(*(topic(f"svc.t{i}", 1) for i in range(5))), small, OWN, allow_delete=False)
    make_plan(desired(*(topic(f"svc.t{i}", 1) for i in range(2000))), large, OWN, allow_delete=False)
    assert small.requests == large.requests == ["metadata", "describe_configs"]


def test_fingerprint_moves_when_an_in_scope_topic_changes_and_only_then() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.created", 3, 3)
    want = desired(topic("orders.created"))
    first = make_plan(want, cluster, OWN, allow_delete=False).fingerprint
    cluster.add_topic("billing.paid", 3, 3)  # not ours: does not make the plan stale
    assert make_plan(want, cluster, OWN, allow_delete=False).fingerprint == first
    cluster.topics["orders.created"].config["retention.ms"] = "5"
    assert make_plan(want, cluster, OWN, allow_delete=False).fingerprint != first


def test_blocked_does_not_hide_other_changes_of_the_same_topic() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 6, 1, **{"retention.ms": "1"})
    plan = make_plan(desired(topic("orders.a", 3, 1)), cluster, OWN, allow_delete=False)
    kinds = sorted(type(a).__name__ for a in plan.actions)
    assert kinds == ["AlterTopicConfig", "Blocked"]
    assert isinstance(plan.blocked[0], Blocked)
