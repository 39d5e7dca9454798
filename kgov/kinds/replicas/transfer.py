"""The data a replica placement moves, and how long it takes at a replication throttle. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kgov.kinds.replicas.placement import PartitionMove, TopicPlacement


@dataclass(frozen=True)
class ReplicaCopy:
    topic: str
    partition: int
    broker: int  # gets the new replica
    source: int  # the leader it copies from
    bytes: int


@dataclass(frozen=True)
class Transfer:
    copies: tuple[ReplicaCopy, ...]  # one per new replica, by topic, partition, broker
    inbound: Mapping[int, int] = field(default_factory=dict)  # bytes each broker receives
    outbound: Mapping[int, int] = field(default_factory=dict)  # bytes each leader sends
    unknown: tuple[tuple[str, int], ...] = ()  # partitions with a new replica but no known size
    seconds: float | None = None  # the estimate at the throttle; None when there is no throttle

    @property
    def total_bytes(self) -> int:
        return sum(c.bytes for c in self.copies)


def _source(move: PartitionMove, leader: int | None) -> int:
    """The current leader when known; else the first current replica that stays (it is live)."""
    if leader is not None:
        return leader
    return next((b for b in move.current if b in move.target), move.target[0])


def transfer(
    topics: Iterable[TopicPlacement],
    sizes: Mapping[tuple[str, int], int],
    throttle: int | None,
    leaders: Mapping[tuple[str, int], int] | None = None,
) -> Transfer:
    """The bytes each new replica copies, and the time that takes at ``throttle`` bytes/s.

    ``sizes``: bytes per (topic, partition), as describe_log_dirs reports them for the partition's
    leader (the largest replica when the leader is unknown). ``leaders``: the current leader of
    each partition (from the metadata); without it, the first current replica that stays.

    A new replica copies the whole partition: bytes = the partition's size. Kafka's throttle caps
    each broker's replication traffic, in (``follower.replication.throttled.rate``) and out
    (``leader.replication.throttled.rate``), both set to ``throttle``. With every reassignment
    running at once, the busiest broker sets the pace:

        seconds = max over brokers b of max(inbound[b], outbound[b]) / throttle

    where inbound[b] sums the sizes of the new replicas b receives and outbound[b] those of the
    partitions b leads that get new replicas (once per new replica). It is a floor, not a promise:
    it ignores what producers write meanwhile, disk and network limits below the throttle, and
    running in batches, which can only make it longer.
    """
    if throttle is not None and throttle <= 0:
        raise ValueError(f"the throttle must be a positive number of bytes per second, not {throttle}")
    copies: list[ReplicaCopy] = []
    unknown: list[tuple[str, int]] = []
    inbound: dict[int, int] = {}
    outbound: dict[int, int] = {}
    for topic in sorted(topics, key=lambda t: t.topic):
        for move in sorted(topic.moves, key=lambda m: m.partition):
            if not move.added:
                continue
            key = (topic.topic, move.partition)
            size = sizes.get(key)
            if size is None:
                unknown.append(key)
            source = _source(move, (leaders or {}).get(key))
            for broker in sorted(move.added):
                copy = ReplicaCopy(topic.topic, move.partition, broker, source, max(size or 0, 0))
                copies.append(copy)
                inbound[broker] = inbound.get(broker, 0) + copy.bytes
                outbound[source] = outbound.get(source, 0) + copy.bytes
    seconds = None
    if throttle is not None:
        busiest = max([*inbound.values(), *outbound.values()], default=0)
        seconds = busiest / throttle
    return Transfer(tuple(copies), inbound, outbound, tuple(unknown), seconds)
