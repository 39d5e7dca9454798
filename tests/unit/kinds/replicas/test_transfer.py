"""The data a placement moves and the time it takes at a throttle (kgov/kinds/replicas/transfer.py)."""

from __future__ import annotations

import pytest

from kgov.kinds.replicas.placement import Broker, PartitionMove, RfChange, TopicPlacement, place_replicas
from kgov.kinds.replicas.transfer import ReplicaCopy, transfer

MB = 1_000_000


def test_each_new_replica_copies_its_partition_and_the_busiest_broker_sets_the_time() -> None:
    topics = [
        TopicPlacement("a", 3, (PartitionMove(0, (1,), (1, 2, 3)), PartitionMove(1, (2,), (2, 3, 1)))),
        TopicPlacement("b", 2, (PartitionMove(0, (3, 1), (3,)),)),  # a drop copies nothing
    ]
    sizes = {("a", 0): 10 * MB, ("a", 1): 4 * MB, ("b", 0): 99 * MB}
    moved = transfer(topics, sizes, throttle=2 * MB)
    assert moved.copies == (
        ReplicaCopy("a", 0, 2, 1, 10 * MB),
        ReplicaCopy("a", 0, 3, 1, 10 * MB),
        ReplicaCopy("a", 1, 1, 2, 4 * MB),
        ReplicaCopy("a", 1, 3, 2, 4 * MB),
    )
    assert moved.total_bytes == 28 * MB
    assert moved.inbound == {2: 10 * MB, 3: 14 * MB, 1: 4 * MB}
    assert moved.outbound == {1: 20 * MB, 2: 8 * MB}
    assert moved.seconds == 10.0  # broker 1 sends 20 MB at 2 MB/s
    assert moved.unknown == ()


def test_the_current_leader_when_known_is_the_source() -> None:
    topics = [TopicPlacement("a", 3, (PartitionMove(0, (1, 2), (1, 2, 3)),))]
    moved = transfer(topics, {("a", 0): 6 * MB}, 3 * MB, leaders={("a", 0): 2})
    assert moved.copies == (ReplicaCopy("a", 0, 3, 2, 6 * MB),)
    assert moved.outbound == {2: 6 * MB} and moved.seconds == 2.0


def test_unknown_sizes_are_listed_and_no_throttle_gives_no_estimate() -> None:
    topics = [TopicPlacement("a", 2, (PartitionMove(0, (1,), (1, 2)),))]
    moved = transfer(topics, {}, None)
    assert moved.unknown == (("a", 0),) and moved.total_bytes == 0 and moved.seconds is None


@pytest.mark.parametrize("throttle", [0, -5])
def test_a_throttle_that_is_not_positive_is_refused(throttle: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        transfer([], {}, throttle)


def test_the_acceptance_shape_moves_twice_the_data_and_splits_it_evenly() -> None:
    """30 topics x 6 partitions of 10 MB at RF 1 on three brokers → RF 3: every partition is copied
    twice (3.6 GB); each broker receives and sends 1.2 GB, 120 s at 10 MB/s."""
    brokers = [Broker(0), Broker(1), Broker(2)]
    cluster = {f"t{t:02d}": {p: [(t + p) % 3] for p in range(6)} for t in range(30)}
    placement = place_replicas(brokers, cluster, [RfChange(t, 3) for t in cluster])
    sizes = {(t, p): 10 * MB for t, ps in cluster.items() for p in ps}
    moved = transfer(placement.topics, sizes, throttle=10 * MB)
    assert moved.total_bytes == 2 * 180 * 10 * MB
    assert moved.inbound == moved.outbound == {0: 1200 * MB, 1: 1200 * MB, 2: 1200 * MB}
    assert moved.seconds == 120.0
