"""Replica placement for replication-factor changes (issue 20, point 1): the issue's acceptance
shapes, the blocked cases, brokers that are not live, and a seeded randomized check of the rules.
Pure: no cluster."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence

import pytest

from kgov.kinds.replicas.placement import Broker, Placement, RfChange, TopicPlacement, place_replicas

Assignments = dict[str, dict[int, list[int]]]


def kafka_created(brokers: int, topics: int, partitions: int, seed: int = 7) -> Assignments:
    """RF 1 topics as Kafka creates them: round robin from a random start per topic."""
    rng = random.Random(seed)
    out: Assignments = {}
    for t in range(topics):
        start = rng.randrange(brokers)
        out[f"t{t:02d}"] = {p: [(start + p) % brokers] for p in range(partitions)}
    return out


def after(placement: Placement, before: Assignments) -> Assignments:
    """The cluster once the placement is carried out."""
    out = {t: {p: list(r) for p, r in ps.items()} for t, ps in before.items()}
    for topic in placement.topics:
        for move in topic.partitions:
            out[topic.topic][move.partition] = list(move.target)
    return out


def counts(
    assignments: Mapping[str, Mapping[int, Sequence[int]]], live: Sequence[int]
) -> tuple[Counter[int], Counter[int]]:
    replicas: Counter[int] = Counter({b: 0 for b in live})
    leaders: Counter[int] = Counter({b: 0 for b in live})
    for partitions in assignments.values():
        for rs in partitions.values():
            replicas.update(rs)
            leaders[rs[0]] += 1
    return replicas, leaders


def spread(counter: Counter[int]) -> int:
    return max(counter.values()) - min(counter.values())


def change_all(assignments: Assignments, rf: int, min_isr: int = 1) -> list[RfChange]:
    return [RfChange(t, rf, min_isr) for t in assignments]


def only(placement: Placement) -> TopicPlacement:
    (topic,) = placement.topics
    return topic


BROKERS3 = [Broker(0), Broker(1), Broker(2)]


@pytest.mark.parametrize("leaders_on_one", [False, True])
def test_rf1_to_rf3_on_three_brokers_keeps_every_replica_and_balances(leaders_on_one: bool) -> None:
    before = kafka_created(3, 30, 6)
    if leaders_on_one:
        before = {t: {p: [0] for p in ps} for t, ps in before.items()}
    placement = place_replicas(BROKERS3, before, change_all(before, 3))
    assert len(placement.topics) == 30 and all(t.blocked is None for t in placement.topics)
    for topic in placement.topics:
        assert len(topic.moves) == 6
        for move in topic.partitions:
            assert sorted(move.target) == [0, 1, 2]
            assert move.target[0] == move.current[0]  # the preferred leader stays first
            assert move.dropped == () and len(move.added) == 2
    replicas, leaders = counts(after(placement, before), [0, 1, 2])
    assert replicas == Counter({0: 180, 1: 180, 2: 180}) == placement.replicas
    assert leaders == placement.leaders
    if leaders_on_one:  # kept first, so they stay where they were...
        assert leaders == Counter({0: 180, 1: 0, 2: 0})
        # ...unless the placement may reorder the lists (no data moves for that)
        balanced = place_replicas(BROKERS3, before, change_all(before, 3), balance_leaders=True)
        _, leaders = counts(after(balanced, before), [0, 1, 2])
        assert spread(leaders) <= 1
        assert sum(len(m.added) for t in balanced.topics for m in t.partitions) == 360
    else:
        assert spread(leaders) <= 1


@pytest.mark.parametrize("leaders_on_one", [False, True])
def test_back_to_rf2_only_drops_keeps_leaders_and_balances(leaders_on_one: bool) -> None:
    before = kafka_created(3, 30, 6)
    if leaders_on_one:
        before = {t: {p: [0] for p in ps} for t, ps in before.items()}
    rf3 = after(place_replicas(BROKERS3, before, change_all(before, 3), balance_leaders=True), before)
    placement = place_replicas(BROKERS3, rf3, change_all(rf3, 2))
    dropped = 0
    for topic in placement.topics:
        for move in topic.partitions:
            assert len(move.target) == 2 and set(move.target) < set(move.current)
            assert move.target[0] == move.current[0] and move.added == ()
            dropped += len(move.dropped)
    assert dropped == 180
    replicas, leaders = counts(after(placement, rf3), [0, 1, 2])
    assert spread(replicas) <= 1 and spread(leaders) <= 1
    assert replicas == Counter({0: 120, 1: 120, 2: 120})


def test_six_brokers_in_three_racks_put_each_partition_on_three_racks() -> None:
    brokers = [Broker(i, f"rack-{i % 3}") for i in range(6)]
    rack = {b.id: b.rack for b in brokers}
    before = kafka_created(6, 30, 6)
    placement = place_replicas(brokers, before, change_all(before, 3))
    assert placement.warnings == ()
    for topic in placement.topics:
        for move in topic.partitions:
            assert len({rack[b] for b in move.target}) == 3
            assert move.target[0] == move.current[0]
    replicas, leaders = counts(after(placement, before), range(6))
    assert spread(replicas) <= 1 and spread(leaders) <= 1
    down = place_replicas(brokers, after(placement, before), change_all(before, 2))
    for topic in down.topics:
        for move in topic.partitions:
            assert len({rack[b] for b in move.target}) == 2


def test_rack_spread_comes_before_balance() -> None:
    # Broker 1 (rack a, like the leader) is the emptiest, but the replica goes to rack b.
    brokers = [Broker(0, "a"), Broker(1, "a"), Broker(2, "b")]
    cluster = {"big": {0: [2], 1: [2], 2: [2], 3: [0]}, "t": {0: [0]}}
    move = only(place_replicas(brokers, cluster, [RfChange("t", 2)])).partitions[0]
    assert move.target == (0, 2)


def test_racks_on_some_brokers_only_are_ignored_with_a_warning() -> None:
    brokers = [Broker(0, "a"), Broker(1, "a"), Broker(2)]
    placement = place_replicas(brokers, {"t": {0: [0]}}, [RfChange("t", 2)])
    assert placement.warnings == (
        "broker.rack is set on brokers 0, 1 but not on 2: replicas are placed without regard to racks",
    )
    assert only(placement).partitions[0].target == (0, 1)


def test_other_topics_count_for_balance() -> None:
    cluster: Assignments = {"busy": {p: [0, 1] for p in range(10)}, "t": {0: [0], 1: [1]}}
    placement = place_replicas([*BROKERS3, Broker(3)], cluster, [RfChange("t", 2)])
    assert [m.target for m in only(placement).partitions] == [(0, 2), (1, 3)]


def test_a_decrease_drops_from_the_most_loaded_broker_and_never_the_leader() -> None:
    cluster: Assignments = {"busy": {p: [2] for p in range(5)}, "t": {0: [2, 0, 1], 1: [1, 2, 0]}}
    placement = place_replicas(BROKERS3, cluster, [RfChange("t", 2)])
    targets = [m.target for m in only(placement).partitions]
    assert targets[0][0] == 2  # broker 2 is the busiest but leads partition 0: it stays
    assert targets[1] == (1, 0)  # partition 1 drops its replica on broker 2


def test_the_minimum_is_added_when_partitions_differ() -> None:
    cluster: Assignments = {"t": {0: [0], 1: [1, 2], 2: [2, 0, 1]}}
    placement = place_replicas(BROKERS3, cluster, [RfChange("t", 2)])
    moves = only(placement).partitions
    assert [len(m.added) for m in moves] == [1, 0, 0]
    assert [len(m.dropped) for m in moves] == [0, 0, 1]
    assert [m.changed for m in moves] == [True, False, True]
    assert [m.partition for m in only(placement).moves] == [0, 2]


def test_more_replicas_than_live_brokers_is_blocked() -> None:
    placement = place_replicas(BROKERS3, {"t": {0: [0]}}, [RfChange("t", 4)])
    assert only(placement).blocked == "replication factor 4 needs 4 live brokers; the cluster has 3 (0, 1, 2)"
    assert only(placement).partitions == ()


def test_below_min_insync_replicas_is_blocked() -> None:
    cluster: Assignments = {"t": {0: [0, 1, 2]}}
    placement = place_replicas(BROKERS3, cluster, [RfChange("t", 1, min_insync_replicas=2)])
    assert only(placement).blocked is not None
    assert "below the topic's min.insync.replicas (2)" in only(placement).blocked
    assert only(place_replicas(BROKERS3, cluster, [RfChange("t", 2, 2)])).blocked is None


def test_an_increase_still_below_min_insync_replicas_goes_on_with_a_warning() -> None:
    placement = place_replicas(BROKERS3, {"t": {0: [0]}}, [RfChange("t", 2, min_insync_replicas=3)])
    assert only(placement).blocked is None and only(placement).partitions[0].target == (0, 1)
    assert placement.warnings == (
        "topic t: replication factor 2 is still below its min.insync.replicas (3): "
        "producers with acks=all cannot write",
    )


def test_a_broker_listed_twice_counts_once() -> None:
    placement = place_replicas([*BROKERS3, Broker(1)], {"t": {0: [0]}}, [RfChange("t", 3)])
    assert only(placement).partitions[0].target == (0, 1, 2)
    assert placement.replicas == {0: 1, 1: 1, 2: 1}


@pytest.mark.parametrize(
    ("cluster", "rf", "reason"),
    [
        ({}, 2, "the topic does not exist on the cluster"),
        ({"t": {0: [0]}}, 0, "a replication factor of 0 is not possible"),
        ({"t": {0: [0], 1: [7, 8], 2: [9]}}, 2, "partition 1 (and 1 more) has no replica on a live broker"),
    ],
)
def test_other_blocked_changes(cluster: Assignments, rf: int, reason: str) -> None:
    blocked = only(place_replicas(BROKERS3, cluster, [RfChange("t", rf)])).blocked
    assert blocked is not None and blocked.startswith(reason)


def test_a_blocked_topic_keeps_its_load_and_the_others_go_on() -> None:
    cluster: Assignments = {"bad": {0: [0]}, "ok": {0: [1]}}
    placement = place_replicas(BROKERS3, cluster, [RfChange("bad", 9), RfChange("ok", 2)])
    assert [t.topic for t in placement.topics] == ["bad", "ok"]
    assert placement.topics[0].blocked is not None and placement.topics[1].blocked is None
    assert placement.topics[1].partitions[0].target == (1, 2)  # broker 0 still holds "bad"


def test_a_dead_preferred_leader_is_dropped_and_said() -> None:
    cluster: Assignments = {"t": {0: [5, 1, 2], 1: [1, 5]}}
    placement = place_replicas(BROKERS3, cluster, [RfChange("t", 2)])
    first, second = only(placement).partitions
    assert first.target == (1, 2)
    assert first.note == "its preferred leader, broker 5, is not live: broker 1 leads instead"
    assert second.target == (1, 0) and second.note is None  # the dead replica is replaced


def test_the_same_input_gives_the_same_output_whatever_its_order() -> None:
    before = kafka_created(5, 12, 4, seed=3)
    brokers = [Broker(i, f"r{i % 2}") for i in range(5)]
    first = place_replicas(brokers, before, change_all(before, 3))
    reordered = {t: dict(reversed(ps.items())) for t, ps in reversed(before.items())}
    again = place_replicas(list(reversed(brokers)), reordered, list(reversed(change_all(before, 3))))
    assert first == again


def test_ten_thousand_partitions_are_placed_quickly() -> None:
    import time

    brokers = [Broker(i, f"r{i % 3}") for i in range(12)]
    before = kafka_created(12, 500, 20)
    start = time.perf_counter()
    placement = place_replicas(brokers, before, change_all(before, 3))
    assert time.perf_counter() - start < 20  # a hang check; it takes well under a second
    replicas, _ = counts(after(placement, before), range(12))
    assert spread(replicas) <= 1
