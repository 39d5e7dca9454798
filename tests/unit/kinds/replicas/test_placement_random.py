"""Replica placement over many seeded random clusters: the rules hold whatever the cluster.

Each seed draws brokers (some in racks, some not live), topics with irregular replica lists
(dead brokers, mixed factors within a topic) and changes up and down; the checks are the rules of
kgov/kinds/replicas/placement.py, asserted from the output alone."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from kgov.kinds.replicas.placement import Broker, Placement, RfChange, place_replicas

Assignments = dict[str, dict[int, list[int]]]


def random_cluster(rng: random.Random) -> tuple[list[Broker], list[int], Assignments, list[RfChange], bool]:
    n = rng.randint(1, 9)
    racked = rng.random() < 0.5
    racks = [f"r{rng.randrange(rng.randint(1, 4))}" if racked else None for _ in range(n)]
    ids = rng.sample(range(100), n)
    dead = [i for i in rng.sample(range(100, 110), rng.randint(0, 2))]
    brokers = [Broker(i, r) for i, r in zip(ids, racks, strict=True)]
    everyone = ids + dead
    assignments: Assignments = {}
    for t in range(rng.randint(1, 8)):
        rf = rng.randint(1, min(4, len(everyone)))
        assignments[f"t{t}"] = {
            p: rng.sample(everyone, rng.choice([rf, rf, rf, rng.randint(1, min(4, len(everyone)))]))
            for p in range(rng.randint(1, 12))
        }
    changes = [
        RfChange(t, rng.randint(1, min(5, n + 1)), rng.choice([1, 1, 2]))
        for t in sorted(assignments)
        if rng.random() < 0.7
    ]
    return brokers, dead, assignments, changes, racked


def check(
    brokers: list[Broker], assignments: Assignments, changes: list[RfChange], placement: Placement
) -> None:
    live = {b.id for b in brokers}
    rack = {b.id: b.rack for b in brokers}
    racks_count = all(r is not None for r in rack.values())
    wanted = {c.topic: c for c in changes}
    assert [t.topic for t in placement.topics] == sorted(wanted)
    for topic in placement.topics:
        change = wanted[topic.topic]
        current = assignments[topic.topic]
        lost = any(not set(rs) & live for rs in current.values())
        rf = change.replication_factor
        shrinks = any(len(set(rs)) > rf for rs in current.values())
        must_block = rf > len(live) or (rf < change.min_insync_replicas and shrinks) or lost
        assert (topic.blocked is not None) == must_block, topic
        if must_block:
            assert topic.partitions == ()
            continue
        assert [m.partition for m in topic.partitions] == sorted(current)
        for move in topic.partitions:
            target = move.target
            kept = [b for b in dict.fromkeys(current[move.partition]) if b in live]
            assert move.current == tuple(current[move.partition])
            assert len(target) == rf == len(set(target)) and set(target) <= live
            assert target[0] == kept[0]  # the first live current replica leads
            assert (move.note is not None) == (move.current[0] not in live)
            if len(kept) <= rf:  # grows: every live replica stays, in order, first; the minimum added
                assert list(target[: len(kept)]) == kept
                assert len(move.added) == rf - len(kept)
            else:  # shrinks: a subset of the live replicas, nothing added
                assert set(target) <= set(kept) and move.added == ()
            if racks_count:
                distinct = len({rack[b] for b in target})
                if len(kept) <= rf:
                    best = min(len(set(rack.values())), len({rack[b] for b in kept}) + len(move.added))
                else:
                    best = min(rf, len({rack[b] for b in kept}))
                assert distinct == best, (move, rack)
    # The counts it reports are the cluster's once the placement is carried out.
    final = {t: {p: list(r) for p, r in ps.items()} for t, ps in assignments.items()}
    for topic in placement.topics:
        for move in topic.partitions:
            final[topic.topic][move.partition] = list(move.target)
    replicas: Counter[int] = Counter({b: 0 for b in live})
    leaders: Counter[int] = Counter({b: 0 for b in live})
    for ps in final.values():
        for rs in ps.values():
            alive = [b for b in rs if b in live]
            replicas.update(alive)
            if alive:
                leaders[alive[0]] += 1
    assert replicas == placement.replicas and leaders == placement.leaders


@pytest.mark.parametrize("seed", range(300))
def test_the_rules_hold_on_random_clusters(seed: int) -> None:
    rng = random.Random(seed)
    brokers, _, assignments, changes, _ = random_cluster(rng)
    placement = place_replicas(brokers, assignments, changes)
    check(brokers, assignments, changes, placement)
    shuffled = list(assignments.items())
    rng.shuffle(shuffled)
    assert place_replicas(reversed(brokers), dict(shuffled), list(reversed(changes))) == placement
    # Balancing the preferred leaders only reorders the lists: the same replicas, no more data.
    reordered = place_replicas(brokers, assignments, changes, balance_leaders=True)
    assert reordered.replicas == placement.replicas
    for mine, theirs in zip(reordered.topics, placement.topics, strict=True):
        assert mine.blocked == theirs.blocked
        assert [sorted(m.target) for m in mine.partitions] == [sorted(m.target) for m in theirs.partitions]


@pytest.mark.parametrize("seed", range(200))
def test_a_whole_cluster_growing_is_balanced(seed: int) -> None:
    """Every topic of a rack-less cluster grows. The replicas already there stay where they are, so
    a broker may start above the rest; but no added replica sits on a broker two or more above
    another, and the preferred leaders (free to reorder) end equal ±1."""
    rng = random.Random(seed)
    n = rng.randint(2, 9)
    brokers = [Broker(i) for i in range(n)]
    assignments: Assignments = {
        f"t{t}": {p: [rng.randrange(n)] for p in range(rng.randint(1, 20))} for t in range(rng.randint(1, 20))
    }
    rf = rng.randint(2, n)
    placement = place_replicas(
        brokers, assignments, [RfChange(t, rf) for t in assignments], balance_leaders=True
    )
    receiving = {b for t in placement.topics for m in t.partitions for b in m.added}
    replicas = placement.replicas
    assert max(replicas[b] for b in receiving) - min(replicas.values()) <= 1, replicas
    assert max(placement.leaders.values()) - min(placement.leaders.values()) <= 1, placement.leaders
