"""Storage at retention of topics a plan creates or changes. Pure: no I/O.

Reads the topic kind's desired JSON (`{"partitions", "replication_factor", "config"}`, configs
normalised: `retention.bytes` as a number in a string), the form plan entries' `before`/`after` and
the review's before/after hold, so the plan and `kgov diff --base` count alike.

A partition's log is bounded by `retention.bytes` (Kafka applies it per partition); a topic's storage
at retention is partitions x replication factor x that bound. A topic with no byte bound (unset or -1)
is bounded by time (`retention.ms`) or compaction: for an existing topic bounded by time, the size
is its measured write rate x retention.ms x replication factor (Measured; the plan reads it in
kgov/kinds/topics/measure.py); a new one, or a compacted one, is named but not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from kgov.catalog.model import Capacity
from kgov.kinds.rates import size
from kgov.plan.model import JSON, Entry


@dataclass(frozen=True)
class Storage:
    """One topic's capacity before and after a change; None before: the topic is new."""

    name: str
    replicas_before: int  # partitions x RF: the partition replicas brokers hold
    replicas_after: int
    bound: int | None  # retention.bytes per partition after the change; None: unbounded
    bytes_before: int | None  # at retention; None: unbounded (or the topic is new: see `new`)
    bytes_after: int | None
    new: bool
    # without a byte bound: what else bounds it (the size then needs the measured write rate)
    limit: str = "unbounded"  # "retention.ms 3d", "compaction", or "unbounded"
    measured: Measured | None = None  # the existing log its time-bound size was measured from

    @property
    def replicas_added(self) -> int:
        return self.replicas_after - self.replicas_before

    @property
    def bytes_added(self) -> int | None:
        """None when either side is unbounded (a new topic counts from 0)."""
        if self.bytes_after is None or (self.bytes_before is None and not self.new):
            return None
        return self.bytes_after - (self.bytes_before or 0)

    def note(self, partitions: int, rf: int) -> str:
        if self.bound is None and self.limit == "unbounded":
            return (
                f"storage at retention: unbounded ({partitions} partitions x RF {rf}; "
                "neither retention.bytes nor retention.ms bounds it)"
            )
        if self.bound is None:
            return (
                f"storage at retention: {partitions} partitions x RF {rf}, bounded by {self.limit} "
                "(no retention.bytes: its size needs the measured write rate)"
            )
        total = size(self.bytes_after or 0)
        text = f"storage at retention: {partitions} partitions x RF {rf} x {size(self.bound)} = {total}"
        added = self.bytes_added
        if not self.new and added is not None and added != 0:
            text += f" ({'+' if added > 0 else '-'}{size(abs(added))})"
        return text


def bound(spec: JSON) -> int | None:
    """retention.bytes of a desired topic; None when unset, -1 or unreadable."""
    raw = ((spec or {}).get("config") or {}).get("retention.bytes")
    try:
        value = int(str(raw)) if raw is not None else -1
    except ValueError:
        return None
    return value if value >= 0 else None


_KAFKA_RETENTION_MS = 604800000  # retention.ms when unset (7 days)


def _limit(spec: JSON) -> str:
    """What bounds a topic that retention.bytes does not: compaction, retention.ms, or nothing."""
    config = (spec or {}).get("config") or {}
    if "compact" in str(config.get("cleanup.policy", "delete")):
        return "compaction"
    raw = str(config.get("retention.ms", _KAFKA_RETENTION_MS))
    ms = int(raw) if raw.lstrip("-").isdigit() else -1
    if ms < 0:
        return "unbounded"
    for unit, factor in (("d", 86400000), ("h", 3600000), ("min", 60000), ("s", 1000)):
        if ms and ms % factor == 0:
            return f"retention.ms {ms // factor}{unit}"
    return f"retention.ms {ms}ms"


def _replicas(spec: JSON) -> int:
    return int(spec["partitions"]) * int(spec["replication_factor"]) if spec else 0


def retention_ms(spec: JSON) -> int | None:
    """The time bound of a topic that deletes (retention.ms, Kafka's 7 days when unset); None when
    compacted or kept forever (-1)."""
    config = (spec or {}).get("config") or {}
    if "compact" in str(config.get("cleanup.policy", "delete")):
        return None
    raw = str(config.get("retention.ms", _KAFKA_RETENTION_MS))
    ms = int(raw) if raw.lstrip("-").isdigit() else -1
    return ms if ms >= 0 else None


@dataclass(frozen=True)
class Measured:
    """An existing topic's log as the brokers hold it (kgov/kinds/topics/measure.py reads it): per
    partition that holds records, the bytes of one replica (DescribeLogDirs, the largest replica) and
    the time its records span (newest minus oldest record timestamp), under the topic's current
    retention.ms `retention`. One replica's bytes: replication is applied by the storage, with the
    replication factor the topic will have."""

    logs: tuple[tuple[int, int], ...]  # (bytes of one replica, span in ms > 0) per partition
    retention: int  # retention.ms when measured

    @property
    def bytes(self) -> int:
        return sum(b for b, _ in self.logs)

    @property
    def span(self) -> int:
        return max((s for _, s in self.logs), default=0)

    def covers(self, ms: int) -> bool:
        """Every log already spans `ms`, the retention it was measured under: it is as full as it gets."""
        return ms == self.retention and all(s >= ms for _, s in self.logs)

    def per_replica(self, ms: int) -> int:
        """One replica's bytes at retention `ms`: a log that already spans the retention it has is its
        size on disk; any other is its write rate (bytes over span) times `ms`."""
        return sum(b if self.covers(ms) else b * ms // s for b, s in self.logs)


def _bytes(spec: JSON, measured: Measured | None) -> int | None:
    """Bytes at retention of one side: retention.bytes where set, else the measured rate x retention.ms."""
    cap = bound(spec)
    if cap is not None:
        return cap * _replicas(spec)
    ms = retention_ms(spec)
    if measured is None or ms is None or not spec:
        return None
    return measured.per_replica(ms) * int(spec["replication_factor"])


def storage(name: str, before: JSON, after: JSON, measured: Measured | None = None) -> Storage:
    """`measured`: the existing topic's log (a change of a topic bounded by time only)."""
    return Storage(
        name=name,
        replicas_before=_replicas(before),
        replicas_after=_replicas(after),
        bound=bound(after),
        bytes_before=_bytes(before, measured) if before else None,
        bytes_after=_bytes(after, measured if before else None),
        new=not before,
        limit=_limit(after),
        measured=measured if before else None,
    )


def measured_note(s: Storage, after: JSON) -> str | None:
    """What the measurement says, for a topic whose size after the change comes from it."""
    m, ms = s.measured, retention_ms(after)
    if m is None or s.bound is not None or ms is None or s.bytes_after is None:
        return None
    rf = int(after["replication_factor"])
    if m.covers(ms):
        how = f"its log already spans {_limit(after)}: {size(m.bytes)} per replica"
    else:
        per_day = m.bytes * 86_400_000 // m.span
        how = (
            f"write rate ≈{size(per_day)}/day per replica ({size(m.bytes)} over {_span(m.span)} of "
            f"records) x {_limit(after)}"
        )
    return f"storage at retention, measured: {how} x RF {rf} = {size(s.bytes_after)}"


def _span(ms: int) -> str:
    for unit, factor in (("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000)):
        if ms >= factor:
            return f"{ms / factor:.1f}{unit}"
    return f"{ms}ms"


def above(s: Storage, limit: int | None) -> bool:
    """A created or grown topic whose storage at retention passes policy.capacity's threshold."""
    if limit is None or s.bytes_after is None or s.bytes_after <= limit:
        return False
    return s.new or s.bytes_before is None or s.bytes_after > s.bytes_before


def above_message(s: Storage, limit: int) -> str:
    return (
        f"storage at retention {size(s.bytes_after or 0)} is above "
        f"policy.capacity.max_bytes_at_retention ({size(limit)})"
    )


@dataclass(frozen=True)
class Summary:
    topics: int  # topics created
    partitions: int  # partition replicas added (negative: fewer)
    bytes: int  # bytes at retention added, over the bounded topics
    unbounded: tuple[str, ...]  # created or changed topics nothing bounds (not compacted)
    unsized: tuple[str, ...] = ()  # bounded by time or compaction only: their size needs write rates

    @property
    def line(self) -> str:
        parts = [
            f"+{self.topics} topic{'' if self.topics == 1 else 's'}",
            f"{self.partitions:+d} partitions",
            f"{'+' if self.bytes >= 0 else '-'}≈{size(abs(self.bytes))} at retention",
        ]
        if self.unbounded:
            parts.append(f"{len(self.unbounded)} unbounded")
        line = ", ".join(parts)
        if self.unsized:
            line += f" ({len(self.unsized)} bounded by time or compaction only, not counted)"
        return line

    def to_json(self) -> dict[str, JSON]:
        return {
            "line": self.line,
            "topics": self.topics,
            "partitions": self.partitions,
            "bytes": self.bytes,
            "unbounded": list(self.unbounded),
            "unsized": list(self.unsized),
        }


def summarise(sizes: Iterable[Storage]) -> Summary:
    listed = list(sizes)
    return Summary(
        topics=sum(s.new for s in listed),
        partitions=sum(s.replicas_added for s in listed),
        bytes=sum(s.bytes_added or 0 for s in listed),
        unbounded=tuple(sorted(s.name for s in listed if s.bytes_added is None and s.limit == "unbounded")),
        unsized=tuple(sorted(s.name for s in listed if s.bytes_added is None and s.limit != "unbounded")),
    )


# Partition replicas per broker kgov holds a plan against unless policy.capacity.max_partitions_per_broker
# says otherwise: Confluent's long-standing guidance for a broker (KRaft clusters take more, but leader
# elections and restarts slow down past it). A broker also needs an open file per replica's segment:
# `kgov sandbox up` says the sandbox's own room, to set as the limit where it is lower.
BROKER_PARTITION_LIMIT = Capacity().max_partitions_per_broker  # 4000


def largest_broker(
    held: Mapping[int, int], added: int, limit: int = BROKER_PARTITION_LIMIT
) -> dict[str, JSON] | None:
    """The broker that will hold the most replicas after `added` new ones, which Kafka spreads
    round-robin over the brokers: an estimate, its count now plus its even share."""
    if not held:
        return None
    broker = max(sorted(held), key=lambda b: held[b])
    share = -(-max(added, 0) // len(held))  # ceil
    after = held[broker] + share
    return {"broker": broker, "partitions": after, "limit": limit}


def _added(entries: Iterable[Entry]) -> int:
    return sum(
        storage(e.name, e.before if e.action == "update" else None, e.after).replicas_added
        for e in entries
        if e.action in ("create", "update") and isinstance(e.after, dict) and "partitions" in e.after
    )


def broker_check(entries: list[Entry], held: Mapping[int, int], limit: int, on_exceed: str) -> list[Entry]:
    """policy.capacity.max_partitions_per_broker: when the largest broker would pass it after the plan,
    every created or grown topic that adds partition replicas gets a note (attention) or is blocked."""
    largest = largest_broker(held, _added(entries), limit)
    if largest is None or largest["partitions"] <= limit:
        return entries
    message = (
        f"broker {largest['broker']} would hold ≈{largest['partitions']:,} partition replicas, above "
        f"policy.capacity.max_partitions_per_broker ({limit:,})"
    )
    out = []
    for e in entries:
        adds = e.action in ("create", "update") and _added([e]) > 0
        if not adds:
            out.append(e)
        elif on_exceed != "block":
            # no count in the note: it is in the fingerprint, and a topic created elsewhere would
            # make a saved plan stale (the plan's Capacity line has the estimate)
            note = (
                f"attention: the largest broker passes policy.capacity.max_partitions_per_broker ({limit:,})"
            )
            out.append(replace(e, notes=(*e.notes, note)))
        else:
            hint = (
                "add brokers, or use fewer partitions or replicas, or raise "
                "policy.capacity.max_partitions_per_broker in kgov.yaml"
            )
            out.append(replace(e, action="blocked", reason=message, hint=hint))
    return out


def plan_capacity(
    entries: Iterable[Entry],
    held: Mapping[int, int] | None = None,
    limit: int = BROKER_PARTITION_LIMIT,
    measured: Mapping[str, Measured] | None = None,
) -> JSON | None:
    """The plan's `capacity` object over its created and changed topics; None when there are none.
    `held`: the replicas each broker holds now (a full plan's listing), for the largest broker;
    `measured`: the logs of changed topics bounded by time (kgov/kinds/topics/measure.py)."""
    found = review_capacity(
        (
            (e.name, e.before if e.action != "create" else None, e.after)
            for e in entries
            if e.action in ("create", "update")
        ),
        measured,
    )
    largest = largest_broker(held or {}, found["partitions"], limit) if found is not None else None
    if found is None or largest is None:
        return found
    over = f" (above the limit {limit:,})" if largest["partitions"] > limit else ""
    line = f"{found['line']}; largest broker ≈{largest['partitions']:,} partitions{over}"
    return {**found, "line": line, "largest_broker": largest}


def review_capacity(
    changes: Iterable[tuple[str, JSON, JSON]], measured: Mapping[str, Measured] | None = None
) -> JSON | None:
    """Over (name, before, after) desired JSON: topics created or changed (a removal frees its storage
    only once the delete is applied, which the plan shows; it is not counted here)."""
    listed = [c for c in changes if isinstance(c[2], dict) and "partitions" in c[2]]
    # a change that leaves the storage as it was (another config) is not counted; one of the time
    # bound is, sized or not
    timed = {name for name, before, after in listed if before and retention_ms(before) != retention_ms(after)}
    sizes = [storage(name, before, after, (measured or {}).get(name)) for name, before, after in listed]
    sized = [
        s for s in sizes if s.new or s.replicas_added or s.bytes_before != s.bytes_after or s.name in timed
    ]
    return summarise(sized).to_json() if sized else None
