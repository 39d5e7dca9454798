"""Replica placement for a replication-factor change: where each partition's replicas go. Pure.

Input: the live brokers (with their racks), the current replica lists of every partition of every
topic in the cluster (all count for balance, not only the changing ones) and the target replication
factor of each changing topic. Output: per partition of each changing topic the current and the
target replica list, or why the topic's change is blocked: more replicas than live brokers, a
decrease below the topic's min.insync.replicas, or a partition with no replica on a live broker
(there is nothing to copy from).

The rules, in order of priority:
1. Move as few replicas as possible. Every current replica on a live broker stays while the
   partition needs it; an increase only adds replicas, a decrease only drops them. A replica on a
   broker that is not live does not stay (it is dropped, and replaced when the factor needs it).
2. The preferred leader (the first replica) stays first. It leaves only when its broker is not live
   (the first surviving current replica takes its place, and the partition says so), or, with
   ``balance_leaders``, when reordering the target list balances preferred leaders (a reorder
   moves no data; leadership follows at the next preferred-leader election).
3. Replicas spread over racks first: a replica is added to the rack holding the fewest of the
   partition's replicas, and dropped from the rack holding the most. Racks count only when every
   live broker has one (as Kafka's own rack-aware assignment requires); otherwise a warning says so.
4. Then balance: an added replica goes to the broker holding the fewest replicas across the
   cluster, a dropped one leaves the broker holding the most; ties go to the lowest broker id.

Greedy order: partitions are visited topic by topic (sorted by name), partition by partition, and
the per-broker counts are updated as they go, so the balance holds across topics. Partitions that
shrink go first, so the ones that grow see the room the drops free. A final pass swaps free choices
(an added replica, or which current replica a decrease keeps) from the most to the least loaded
broker while a swap lowers the spread without worsening the racks. Same input, same output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Broker:
    id: int
    rack: str | None = None  # None when the broker has no broker.rack


@dataclass(frozen=True)
class RfChange:
    topic: str
    replication_factor: int
    min_insync_replicas: int = 1  # the topic's effective min.insync.replicas


@dataclass(frozen=True)
class PartitionMove:
    partition: int
    current: tuple[int, ...]
    target: tuple[int, ...]
    note: str | None = None  # why the preferred leader changed when it had to

    @property
    def added(self) -> tuple[int, ...]:
        """The brokers that get a new replica (each copies the partition's data)."""
        return tuple(b for b in self.target if b not in self.current)

    @property
    def dropped(self) -> tuple[int, ...]:
        return tuple(b for b in self.current if b not in self.target)

    @property
    def changed(self) -> bool:
        return self.current != self.target


@dataclass(frozen=True)
class TopicPlacement:
    topic: str
    replication_factor: int  # the target
    partitions: tuple[PartitionMove, ...] = ()  # empty when blocked
    blocked: str | None = None

    @property
    def moves(self) -> tuple[PartitionMove, ...]:
        return tuple(p for p in self.partitions if p.changed)


@dataclass(frozen=True)
class Placement:
    topics: tuple[TopicPlacement, ...]  # one per change, sorted by topic name
    replicas: Mapping[int, int] = field(default_factory=dict)  # per live broker, after the change
    leaders: Mapping[int, int] = field(default_factory=dict)  # preferred leaders per live broker, after
    warnings: tuple[str, ...] = ()


@dataclass
class _Slot:
    """One changing partition while it is placed."""

    topic: str
    partition: int
    current: tuple[int, ...]
    chosen: list[int]  # the target so far, in order: the kept current replicas, then the added
    pinned: frozenset[int]  # never swapped away: the leader, and on an increase every kept replica
    pool: frozenset[int] | None  # a decrease may swap among these; None: any live broker (increase)


class _Counts:
    def __init__(self, live: Sequence[int], racks: Mapping[int, str | None]) -> None:
        self.live = tuple(sorted(live))
        self.alive = frozenset(live)
        self.rack = racks
        self.replicas = {b: 0 for b in self.live}
        self.leaders = {b: 0 for b in self.live}

    def crowd(self, chosen: Sequence[int], broker: int) -> int:
        """How many of the partition's replicas are on the broker's rack (the broker excluded)."""
        rack = self.rack[broker]
        return sum(1 for b in chosen if b != broker and self.rack[b] == rack)

    def add(self, slot: _Slot) -> None:
        candidates = [b for b in self.live if b not in slot.chosen]
        best = min(candidates, key=lambda b: (self.crowd(slot.chosen, b), self.replicas[b], b))
        slot.chosen.append(best)
        self.replicas[best] += 1

    def drop(self, slot: _Slot) -> None:
        candidates = [b for b in slot.chosen if b not in slot.pinned]
        worst = min(candidates, key=lambda b: (-self.crowd(slot.chosen, b), -self.replicas[b], b))
        slot.chosen.remove(worst)
        self.replicas[worst] -= 1


def _racks(brokers: Sequence[Broker]) -> tuple[dict[int, str | None], list[str]]:
    racks = {b.id: b.rack for b in brokers}
    with_rack = sorted(b.id for b in brokers if b.rack is not None)
    if not with_rack or len(with_rack) == len(brokers):
        return racks, []
    without = sorted(b.id for b in brokers if b.rack is None)
    warning = (
        f"broker.rack is set on brokers {_ids(with_rack)} but not on {_ids(without)}: "
        "replicas are placed without regard to racks"
    )
    return {b.id: None for b in brokers}, [warning]


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(i) for i in ids)


def _blocked(
    change: RfChange, replicas: Mapping[int, Sequence[int]] | None, live: Sequence[int]
) -> str | None:
    rf = change.replication_factor
    if replicas is None:
        return "the topic does not exist on the cluster"
    if rf < 1:
        return f"a replication factor of {rf} is not possible: every partition needs at least 1 replica"
    if rf > len(live):
        return f"replication factor {rf} needs {rf} live brokers; the cluster has {len(live)}" + (
            f" ({_ids(live)})" if live else ""
        )
    if rf < change.min_insync_replicas and any(len(set(rs)) > rf for rs in replicas.values()):
        return (
            f"replication factor {rf} is below the topic's min.insync.replicas "
            f"({change.min_insync_replicas}): producers with acks=all could never write; "
            "lower min.insync.replicas first"
        )
    alive = frozenset(live)
    lost = sorted(p for p, rs in replicas.items() if not any(b in alive for b in rs))
    if lost:
        first = lost[0]
        more = f" (and {len(lost) - 1} more)" if len(lost) > 1 else ""
        return (
            f"partition {first}{more} has no replica on a live broker "
            f"(brokers {_ids(replicas[first])}): its data cannot be copied; bring the broker back first"
        )
    return None


def _slot(topic: str, partition: int, current: Sequence[int], counts: _Counts) -> _Slot:
    kept = list(dict.fromkeys(b for b in current if b in counts.alive))
    return _Slot(topic, partition, tuple(current), kept, frozenset(kept), None)


def _move(slot: _Slot, counts: _Counts) -> PartitionMove:
    target = tuple(slot.chosen)
    note = None
    if slot.current and slot.current[0] not in counts.alive:
        note = (
            f"its preferred leader, broker {slot.current[0]}, is not live: broker {target[0]} leads instead"
        )
    return PartitionMove(slot.partition, slot.current, target, note)


def place_replicas(
    brokers: Iterable[Broker],
    assignments: Mapping[str, Mapping[int, Sequence[int]]],
    changes: Iterable[RfChange],
    *,
    balance_leaders: bool = False,
) -> Placement:
    """The target replica lists for the changes. ``assignments``: topic → partition → current
    replicas (preferred leader first), for every topic of the cluster. ``brokers``: the live ones.
    """
    live_brokers = sorted({b.id: b for b in reversed(list(brokers))}.values(), key=lambda b: b.id)
    racks, warnings = _racks(live_brokers)
    counts = _Counts([b.id for b in live_brokers], racks)
    for partitions in assignments.values():
        for replicas in partitions.values():
            alive = [b for b in dict.fromkeys(replicas) if b in counts.alive]
            for b in alive:
                counts.replicas[b] += 1
            if alive:
                counts.leaders[alive[0]] += 1

    wanted = {c.topic: c for c in changes}
    blocked: dict[str, str] = {}
    slots: list[_Slot] = []
    for topic in sorted(wanted):
        change = wanted[topic]
        reason = _blocked(change, assignments.get(topic), counts.live)
        if reason is not None:
            blocked[topic] = reason
            continue
        if change.replication_factor < change.min_insync_replicas:  # an increase; it stays unwritable
            warnings.append(
                f"topic {topic}: replication factor {change.replication_factor} is still below its "
                f"min.insync.replicas ({change.min_insync_replicas}): producers with acks=all cannot write"
            )
        for p, replicas in sorted(assignments[topic].items()):
            slots.append(_slot(topic, p, replicas, counts))
    # The dead replicas are already out of the counts; now the drops, then the adds.
    for slot in slots:
        rf = wanted[slot.topic].replication_factor
        if len(slot.chosen) > rf:
            slot.pool, slot.pinned = frozenset(slot.chosen), frozenset(slot.chosen[:1])
            while len(slot.chosen) > rf:
                counts.drop(slot)
    for slot in slots:
        rf = wanted[slot.topic].replication_factor
        if len(slot.chosen) < rf:
            while len(slot.chosen) < rf:
                counts.add(slot)
    _rebalance(slots, counts)
    if balance_leaders:
        _balance_leaders(slots, counts)

    by_topic: dict[str, list[PartitionMove]] = {}
    for slot in slots:
        by_topic.setdefault(slot.topic, []).append(_move(slot, counts))
    topics = tuple(
        TopicPlacement(t, wanted[t].replication_factor, tuple(by_topic.get(t, [])), blocked.get(t))
        for t in sorted(wanted)
    )
    return Placement(topics, dict(counts.replicas), dict(counts.leaders), tuple(warnings))


def _can_swap(slot: _Slot, out: int, into: int, counts: _Counts) -> bool:
    """Whether the slot may trade its free replica on ``out`` for one on ``into`` without moving
    more data or spreading the racks less."""
    if out in slot.pinned or out not in slot.chosen or into in slot.chosen:
        return False
    if slot.pool is not None and into not in slot.pool:
        return False
    if counts.rack[out] == counts.rack[into]:
        return True
    return counts.crowd(slot.chosen, into) <= counts.crowd(slot.chosen, out)


def _rebalance(slots: Sequence[_Slot], counts: _Counts) -> None:
    """Swap free choices from the most to the least loaded broker while that lowers the spread.
    Each swap lowers the sum of squared counts by at least 2, so this ends."""
    free: dict[int, dict[int, None]] = {b: {} for b in counts.live}  # broker → slots (ordered set)
    for i, slot in enumerate(slots):
        for b in slot.chosen:
            if b not in slot.pinned:  # an added replica, or one a decrease chose to keep
                free[b][i] = None
    while True:
        order = sorted(counts.live, key=lambda b: (-counts.replicas[b], b))
        swap = _find_swap(order, free, slots, counts)
        if swap is None:
            return
        i, out, into = swap
        slot = slots[i]
        slot.chosen[slot.chosen.index(out)] = into
        counts.replicas[out] -= 1
        counts.replicas[into] += 1
        del free[out][i]
        free[into][i] = None


def _find_swap(
    order: Sequence[int], free: Mapping[int, Mapping[int, None]], slots: Sequence[_Slot], counts: _Counts
) -> tuple[int, int, int] | None:
    for out in order:
        for into in reversed(order):
            if counts.replicas[out] - counts.replicas[into] < 2:
                break
            for i in free[out]:
                if _can_swap(slots[i], out, into, counts):
                    return i, out, into
    return None


def _balance_leaders(slots: Sequence[_Slot], counts: _Counts) -> None:
    """Choose each changing partition's preferred leader among its target replicas: the broker
    leading the fewest partitions, the current leader on a tie (no needless leader change)."""
    for slot in slots:
        counts.leaders[slot.chosen[0]] -= 1
    for slot in slots:
        first = slot.chosen[0]
        best = min(slot.chosen, key=lambda b: (counts.leaders[b], b != first, b))
        _lead(slot, best, counts)
    led: dict[int, dict[int, None]] = {b: {} for b in counts.live}  # broker → slots it leads
    for i, slot in enumerate(slots):
        led[slot.chosen[0]][i] = None
    while True:
        found = _find_lead_swap(slots, led, counts)
        if found is None:
            return
        i, out, into = found
        counts.leaders[out] -= 1
        _lead(slots[i], into, counts)
        del led[out][i]
        led[into][i] = None


def _find_lead_swap(
    slots: Sequence[_Slot], led: Mapping[int, Mapping[int, None]], counts: _Counts
) -> tuple[int, int, int] | None:
    order = sorted(counts.live, key=lambda b: (-counts.leaders[b], b))
    for out in order:
        for into in reversed(order):
            if counts.leaders[out] - counts.leaders[into] < 2:
                break
            for i in led[out]:
                if into in slots[i].chosen:
                    return i, out, into
    return None


def _lead(slot: _Slot, leader: int, counts: _Counts) -> None:
    slot.chosen.remove(leader)
    slot.chosen.insert(0, leader)
    counts.leaders[leader] += 1
