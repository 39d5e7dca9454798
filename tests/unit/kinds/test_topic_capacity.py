"""Storage at retention of created and changed topics (issue 22 part 2)."""

from __future__ import annotations

from pathlib import Path

from kgov.kinds.topics.capacity import bound, storage, summarise

GIB = 2**30


def _spec(partitions: int, rf: int, **config: str) -> dict[str, object]:
    return {"partitions": partitions, "replication_factor": rf, "config": config}


def test_new_topic_12_partitions_rf3_1gib_is_36_partitions_36_gib() -> None:
    s = storage("orders", None, _spec(12, 3, **{"retention.bytes": str(GIB)}))
    assert (s.replicas_added, s.bytes_added, s.new) == (36, 36 * GIB, True)
    assert s.note(12, 3) == "storage at retention: 12 partitions x RF 3 x 1.0 GiB = 36.0 GiB"
    total = summarise([s])
    assert (total.topics, total.partitions, total.bytes, total.unbounded) == (1, 36, 36 * GIB, ())
    assert total.line == "+1 topic, +36 partitions, +≈36.0 GiB at retention"


def test_without_a_byte_bound_the_size_is_unknown_and_what_bounds_it_is_said() -> None:
    for config in ({}, {"retention.bytes": "-1"}, {"retention.bytes": "lots"}):
        s = storage("t", None, _spec(3, 3, **config))
        assert s.bound is None and s.bytes_added is None
        assert s.note(3, 3) == (
            "storage at retention: 3 partitions x RF 3, bounded by retention.ms 7d "
            "(no retention.bytes: its size needs the measured write rate)"
        )
    assert storage("t", None, _spec(1, 1, **{"retention.ms": "3600000"})).limit == "retention.ms 1h"
    assert storage("t", None, _spec(1, 1, **{"cleanup.policy": "compact"})).limit == "compaction"
    never = storage("t", None, _spec(3, 3, **{"retention.ms": "-1"}))
    assert never.note(3, 3) == (
        "storage at retention: unbounded (3 partitions x RF 3; "
        "neither retention.bytes nor retention.ms bounds it)"
    )
    total = summarise(
        [
            never,
            storage("a", None, _spec(3, 3)),
            storage("b", None, _spec(1, 1, **{"retention.bytes": "10"})),
        ]
    )
    assert (total.topics, total.partitions, total.bytes) == (3, 19, 10)
    assert (total.unbounded, total.unsized) == (("t",), ("a",))
    assert total.line == (
        "+3 topics, +19 partitions, +≈10 B at retention, 1 unbounded "
        "(1 bounded by time or compaction only, not counted)"
    )


def test_changed_topic_counts_the_difference() -> None:
    before = _spec(6, 3, **{"retention.bytes": str(GIB)})
    after = _spec(12, 3, **{"retention.bytes": str(2 * GIB)})
    s = storage("t", before, after)
    assert (s.replicas_added, s.bytes_added, s.new) == (18, 72 * GIB - 18 * GIB, False)
    assert s.note(12, 3).endswith("= 72.0 GiB (+54.0 GiB)")
    # from unbounded to bounded: the difference is unknown until write rates are measured
    assert storage("t", _spec(6, 3), after).bytes_added is None
    assert (
        summarise([storage("t", after, before)]).line == "+0 topics, -18 partitions, -≈54.0 GiB at retention"
    )


def test_bound_reads_only_whole_non_negative_numbers() -> None:
    assert bound(None) is None
    assert bound({"config": {"retention.bytes": "0"}}) == 0
    assert bound({"config": {"retention.bytes": 5}}) == 5


def _plan_with_new_topic() -> dict[str, object]:
    from kgov.cluster.memory.kafka import MemoryCluster
    from tests.unit.plan.helpers import catalog, plan, topic

    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 3, 3)
    cat = catalog(topic("orders.a", 3), topic("orders.big", 12, 3, retention_bytes=str(GIB)))
    return plan(cat, cluster).to_json()


def test_plan_json_text_and_markdown_show_the_storage_at_retention() -> None:
    from jsonschema import Draft202012Validator
    from rich.console import Console

    from kgov.plan.planfile import schema
    from kgov.render import plan_markdown, plan_text

    doc = _plan_with_new_topic()
    assert list(Draft202012Validator(schema()).iter_errors(doc)) == []
    # three brokers holding orders.a's 9 replicas (3 each): the 36 new ones spread 12 to each
    assert doc["capacity"] == {
        "line": "+1 topic, +36 partitions, +≈36.0 GiB at retention; largest broker ≈15 partitions",
        "topics": 1,
        "partitions": 36,
        "bytes": 36 * GIB,
        "unbounded": [],
        "unsized": [],
        "largest_broker": {"broker": 0, "partitions": 15, "limit": 4000},
    }
    (entry,) = doc["resource_changes"]  # type: ignore[misc]
    assert entry["notes"] == ["storage at retention: 12 partitions x RF 3 x 1.0 GiB = 36.0 GiB"]
    console = Console(width=200, record=True, color_system=None)
    plan_text.render(doc, console)
    text = console.export_text()
    assert (
        "Capacity: +1 topic, +36 partitions, +≈36.0 GiB at retention; largest broker ≈15 partitions." in text
    )
    assert "12 partitions x RF 3 x 1.0 GiB = 36.0 GiB" in text
    markdown = plan_markdown.render(doc)
    assert r"\+36 partitions, \+≈36\.0 GiB at retention" in markdown


def test_a_plan_without_capacity_still_reads_and_renders() -> None:
    from kgov.plan.model import plan_from_json

    doc = _plan_with_new_topic()
    assert plan_from_json(doc).to_json()["capacity"] == doc["capacity"]
    del doc["capacity"]
    again = plan_from_json(doc)
    assert again.capacity is None and "capacity" not in again.to_json()


def test_a_change_that_keeps_the_storage_is_not_counted() -> None:
    from kgov.kinds.topics.capacity import review_capacity

    same = _spec(3, 3, **{"compression.type": "zstd"})
    assert review_capacity([("t", _spec(3, 3), same)]) is None
    assert review_capacity([("t", _spec(3, 3), _spec(4, 3))])["partitions"] == 3  # type: ignore[index]


def _threshold_plan(on_exceed: str, limit: int = 10 * GIB) -> dict[str, object]:
    from dataclasses import replace

    from kgov.catalog.model import Capacity
    from kgov.cluster.memory.kafka import MemoryCluster
    from tests.unit.plan.helpers import catalog, plan, topic

    cat = catalog(topic("orders.big", 12, 3, retention_bytes=str(GIB)), topic("orders.small", 1, 3))
    policy = replace(cat.settings.policy, capacity=Capacity(limit, on_exceed))
    cat = replace(cat, settings=replace(cat.settings, policy=policy))
    return plan(cat, MemoryCluster()).to_json()


def test_a_topic_above_the_threshold_is_marked_or_blocked_as_kgov_yaml_says() -> None:
    marked = {e["name"]: e for e in _threshold_plan("attention")["resource_changes"]}  # type: ignore[attr-defined]
    assert marked["orders.big"]["action"] == "create"
    assert marked["orders.big"]["notes"][-1] == (
        "attention: storage at retention 36.0 GiB is above policy.capacity.max_bytes_at_retention (10.0 GiB)"
    )
    assert marked["orders.small"]["notes"] == [
        "storage at retention: 1 partitions x RF 3, bounded by retention.ms 7d "
        "(no retention.bytes: its size needs the measured write rate)"
    ]
    blocked = {e["name"]: e for e in _threshold_plan("block")["resource_changes"]}  # type: ignore[attr-defined]
    assert blocked["orders.big"]["action"] == "blocked"
    assert (
        "36.0 GiB is above policy.capacity.max_bytes_at_retention (10.0 GiB)"
        in blocked["orders.big"]["reason"]
    )
    assert blocked["orders.small"]["action"] == "create"
    under = {e["name"]: e for e in _threshold_plan("block", 36 * GIB)["resource_changes"]}  # type: ignore[attr-defined]
    assert under["orders.big"]["action"] == "create" and len(under["orders.big"]["notes"]) == 1


def test_the_largest_broker_after_the_plan_against_the_limit() -> None:
    from kgov.kinds.topics.capacity import BROKER_PARTITION_LIMIT, largest_broker, plan_capacity
    from kgov.plan.model import Entry

    assert largest_broker({}, 36) is None  # a scoped plan lists only its topics: no estimate
    assert largest_broker({1: 10, 2: 4300, 3: 5}, 36) == {"broker": 2, "partitions": 4312, "limit": 4000}
    new = Entry("topic.t", "topic", "t", "create", after=_spec(12, 3, **{"retention.bytes": str(GIB)}))
    found = plan_capacity([new], {1: 10, 2: BROKER_PARTITION_LIMIT, 3: 5})
    assert found is not None and found["line"].endswith(
        "largest broker ≈4,012 partitions (above the limit 4,000)"
    )
    assert "largest_broker" not in (plan_capacity([new]) or {})


def _broker_plan(on_exceed: str, per_broker: int, *topics: tuple[str, int]) -> dict[str, object]:
    """A plan on a three-broker twin that already holds orders.old (30 partitions x RF 3: 30 each)."""
    from dataclasses import replace

    from kgov.catalog.model import Capacity
    from kgov.cluster.memory.kafka import MemoryCluster
    from kgov.state import TopicSpec
    from tests.unit.plan.helpers import catalog, plan, topic

    cluster = MemoryCluster()
    cluster.create_topics([TopicSpec("orders.old", 30, 3, {})])
    cat = catalog(topic("orders.old", 30, 3), *(topic(n, p, 3) for n, p in topics))
    limit = Capacity(on_exceed=on_exceed, max_partitions_per_broker=per_broker)
    cat = replace(cat, settings=replace(cat.settings, policy=replace(cat.settings.policy, capacity=limit)))
    return plan(cat, cluster).to_json()


def test_the_per_broker_limit_of_kgov_yaml_marks_or_blocks_the_topics_that_add_partitions() -> None:
    # 30 per broker now; 12 x RF 3 adds 12 to each: 42 > 40
    marked = _broker_plan("attention", 40, ("orders.new", 12))
    (new,) = [e for e in marked["resource_changes"] if e["name"] == "orders.new"]  # type: ignore[attr-defined]
    assert new["action"] == "create"
    assert new["notes"][-1] == (
        "attention: the largest broker passes policy.capacity.max_partitions_per_broker (40)"
    )
    assert marked["capacity"]["line"].endswith("largest broker ≈42 partitions (above the limit 40)")  # type: ignore[index]
    assert marked["capacity"]["largest_broker"]["limit"] == 40  # type: ignore[index]

    blocked = _broker_plan("block", 40, ("orders.new", 12))
    (new,) = [e for e in blocked["resource_changes"] if e["name"] == "orders.new"]  # type: ignore[attr-defined]
    assert new["action"] == "blocked"
    assert new["reason"] == (
        "broker 0 would hold ≈42 partition replicas, above policy.capacity.max_partitions_per_broker (40)"
    )
    assert "max_partitions_per_broker" in new["hint"]

    under = _broker_plan("block", 42, ("orders.new", 12))
    (new,) = [e for e in under["resource_changes"] if e["name"] == "orders.new"]  # type: ignore[attr-defined]
    assert new["action"] == "create" and not any("attention" in n for n in new["notes"])


def test_max_partitions_per_broker_is_read_from_kgov_yaml_and_checked(tmp_path: Path) -> None:
    from kgov.catalog.load import load_catalog
    from tests.support import SETTINGS, kgov, topic_doc, write_catalog

    policy = {**SETTINGS["policy"], "capacity": {"max_partitions_per_broker": 500}}
    cat = write_catalog(tmp_path / "ok", {"orders": [topic_doc("orders.a")]}, policy=policy)
    assert load_catalog(cat).catalog.settings.policy.capacity.max_partitions_per_broker == 500
    default = write_catalog(tmp_path / "default", {"orders": [topic_doc("orders.a")]})
    assert load_catalog(default).catalog.settings.policy.capacity.max_partitions_per_broker == 4000
    for bad in (0, "many"):
        policy = {**SETTINGS["policy"], "capacity": {"max_partitions_per_broker": bad}}
        cat = write_catalog(tmp_path / f"bad{bad}", {"orders": [topic_doc("orders.a")]}, policy=policy)
        result = kgov("lint", str(cat))
        assert result.code == 1, result.output
        assert "kgov.yaml:" in result.output and "Traceback" not in result.output
