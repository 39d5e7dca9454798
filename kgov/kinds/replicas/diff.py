"""The replica diff: the catalog's replication factors against the observed replica lists -> one
`reassign` entry per existing topic whose factor differs. Pure: no I/O, no printing.

Placement (kgov/kinds/replicas/placement.py) chooses the target lists for all changing topics at
once, so the balance holds across them; the data to copy and the time at the throttle come from
kgov/kinds/replicas/transfer.py. A topic with a reassignment already in progress (started by kgov or
anyone) gets no new one: its entry says so, and apply waits for it; one that goes elsewhere than the
catalog's factor is blocked until it ends. A topic the cluster lacks is the topic kind's to create.
A change kgov's principal lacks a right for is blocked, naming it (kgov/kinds/replicas/rights.py).
A replication throttle left on a topic whose partitions no longer move is an `update` entry that
removes it (kgov/kinds/replicas/leftover.py says whose throttle that is); one kgov's principal lacks
ALTER_CONFIGS for is not planned, a warning says so (housekeeping the catalog never asked for must
not fail every plan of a principal kept to its topics).
"""

from __future__ import annotations

from collections.abc import Mapping

from kgov.cluster.kafka.reassign_port import Reassignment
from kgov.kinds.base import DiffContext
from kgov.kinds.ownership import is_protected, protected_patterns
from kgov.kinds.rates import DEFAULT_THROTTLE, about, rate, size
from kgov.kinds.replicas.leftover import cleanup_entry, not_removed, rate_entry
from kgov.kinds.replicas.observe import ObservedReplicas, factor
from kgov.kinds.replicas.placement import Broker, RfChange, TopicPlacement, place_replicas
from kgov.kinds.replicas.rights import hint, lacking, reason, unthrottle_lacking
from kgov.kinds.replicas.transfer import transfer
from kgov.plan.model import Change, Entry
from kgov.platforms import profile

KIND = "replicas"
IN_PROGRESS = "a reassignment is in progress"


def _entry(name: str, action: str, **fields: object) -> Entry:
    return Entry(address=f"{KIND}.{name}", kind=KIND, name=name, action=action, **fields)  # type: ignore[arg-type]


def _lists(partitions: Mapping[int, tuple[int, ...]]) -> dict[str, list[int]]:
    return {str(p): list(r) for p, r in sorted(partitions.items())}


def diff_replicas(
    desired: Mapping[str, int], observed: ObservedReplicas, ctx: DiffContext
) -> tuple[list[Entry], list[str]]:
    protected = protected_patterns(ctx.settings.ownership.protected)
    entries: dict[str, Entry] = {}
    warnings: list[str] = []
    changes: list[RfChange] = []
    for name in sorted(desired):
        parts = observed.partitions.get(name)
        if parts is None or is_protected(name, protected):
            continue  # the topic kind creates it, or blocks it
        moving = [observed.moving[(name, p)] for p in sorted(parts) if (name, p) in observed.moving]
        if moving:
            entry = _in_progress(name, desired[name], moving, observed)
            # waiting for it sets and removes the throttle: ALTER_CONFIGS, not ALTER
            missing = lacking(observed.rights, name, reassigns=False) if observed.rights else []
            if entry is not None and entry.action == "reassign" and missing:
                had = int(entry.before["replication_factor"])  # Kafka lists the adding replicas too
                entry = _blocked(name, desired[name], observed, reason(missing), hint(missing), had)
            if entry is not None:
                entries[name] = entry
            continue
        current = {p: s.replicas for p, s in parts.items()}
        if any(len(r) != desired[name] for r in current.values()):
            changes.append(RfChange(name, desired[name], observed.min_insync.get(name, 1)))
    for topic, _ in sorted({(r.topic, r.partition) for r in observed.moving.values()}):
        if topic not in desired or topic in entries:
            continue
        warnings.append(f"topic {topic} has a reassignment in progress that kgov did not plan; left alone")
    if changes and observed.refused:
        for change in changes:
            entries[change.topic] = _blocked(
                change.topic, change.replication_factor, observed, NO_DESCRIBE, NO_DESCRIBE_HINT
            )
        changes = []
    if changes and observed.rights is not None:
        allowed = []
        for change in changes:
            missing = lacking(observed.rights, change.topic)
            if missing:
                entries[change.topic] = _blocked(
                    change.topic, change.replication_factor, observed, reason(missing), hint(missing)
                )
            else:
                allowed.append(change)
        changes = allowed
    if changes:
        assignments = {
            t: {p: s.replicas for p, s in parts.items()} for t, parts in observed.partitions.items()
        }
        # preferred leaders balanced too (a reorder moves no data; `--elect-leaders` makes it real)
        brokers = [Broker(b.id, b.rack) for b in observed.brokers]
        placed = place_replicas(brokers, assignments, changes, balance_leaders=True)
        warnings.extend(placed.warnings)
        leaders = {
            (t, p): s.leader
            for t in (c.topic for c in changes)
            for p, s in observed.partitions[t].items()
            if s.leader is not None
        }
        for placement in placed.topics:
            entries[placement.topic] = _reassign(placement, observed, leaders)
    _leftovers(desired, observed, ctx, protected, entries, warnings)
    if observed.rates and not observed.moving and not any(e.action == "reassign" for e in entries.values()):
        for broker, left in sorted(observed.rates.items()):
            rate = rate_entry(KIND, broker, left)
            missing = unthrottle_lacking(observed.rights, None) if observed.rights is not None else []
            if missing:
                warnings.append(not_removed(rate, missing))
            else:
                entries[rate.name] = rate
    return [entries[n] for n in sorted(entries)], warnings


def _leftovers(
    desired: Mapping[str, int],
    observed: ObservedReplicas,
    ctx: DiffContext,
    protected: tuple[str, ...],
    entries: dict[str, Entry],
    warnings: list[str],
) -> None:
    """A cleanup entry for each catalog topic that carries a throttle with none of its partitions
    moving and no other entry (a factor change's reassignment removes the throttle at its end); a
    warning instead when kgov's principal may not remove it."""
    if not observed.throttled:
        return
    busy = {t for t, _ in observed.moving}
    ignore = (*ctx.settings.ownership.ignore_configs, *profile(ctx.environment.platform).ignore_topic_configs)
    for name, left in sorted(observed.throttled.items()):
        if name not in desired or name in entries or name in busy or is_protected(name, protected):
            continue
        if name not in observed.partitions:
            continue
        entry = cleanup_entry(KIND, name, left, ignore)
        if entry is not None:
            # the rights are read when a throttle is left (observe.py)
            missing = unthrottle_lacking(observed.rights, name) if observed.rights is not None else []
            if missing:
                warnings.append(not_removed(entry, missing))
            else:
                entries[name] = entry


NO_DESCRIBE = (
    "kgov's principal may not DESCRIBE the cluster: it cannot see the reassignments in "
    "progress nor the partitions' sizes, which a replication-factor change needs"
)
NO_DESCRIBE_HINT = (
    "grant kgov's principal DESCRIBE and ALTER on the cluster (kafka-cluster), "
    "or keep replication_factor at its current value"
)


def _blocked(
    name: str, rf: int, observed: ObservedReplicas, why: str, what: str, had: int | None = None
) -> Entry:
    now = factor(observed.partitions[name]) if had is None else had
    return _entry(
        name,
        "blocked",
        before={"replication_factor": now},
        after={"replication_factor": rf},
        changes=(Change("replication_factor", now, rf, blocked=True),),
        reason=why,
        hint=what,
    )


def _reassign(
    topic: TopicPlacement, observed: ObservedReplicas, leaders: Mapping[tuple[str, int], int]
) -> Entry:
    parts = observed.partitions[topic.topic]
    before = {
        "replication_factor": factor(parts),
        "partitions": _lists({p: s.replicas for p, s in parts.items()}),
    }
    rf_row = Change("replication_factor", factor(parts), topic.replication_factor, "reassign")
    if topic.blocked is not None:
        return _entry(
            topic.topic,
            "blocked",
            before=before,
            after={"replication_factor": topic.replication_factor},
            changes=(Change("replication_factor", factor(parts), topic.replication_factor, blocked=True),),
            reason=topic.blocked,
            hint="keep replication_factor at its current value until the cause is fixed; kgov then "
            "carries the change out by a partition reassignment",
        )
    moved = transfer([topic], observed.sizes, DEFAULT_THROTTLE, leaders)
    rows = [rf_row] + [
        Change(f"partition.{m.partition}", list(m.current), list(m.target), "reassign") for m in topic.moves
    ]
    notes = [
        f"Copies {size(moved.total_bytes)} to {len(moved.copies)} new replica(s) "
        f"({len(topic.moves)} partition(s) move); {about(moved.seconds or 0)} at the default "
        f"throttle of {rate(DEFAULT_THROTTLE)} (a floor: producers keep writing meanwhile; "
        "`kgov apply --throttle` sets another rate).",
        *(f"Partition {m.partition}: {m.note}." for m in topic.moves if m.note),
    ]
    if moved.unknown:
        notes.append(
            f"The size of {len(moved.unknown)} partition(s) is unknown: the estimate leaves them out."
        )
    after = {
        "replication_factor": topic.replication_factor,
        "partitions": _lists({m.partition: m.target for m in topic.partitions}),
    }
    return _entry(
        topic.topic, "reassign", before=before, after=after, changes=tuple(rows), notes=tuple(notes)
    )


def _in_progress(name: str, rf: int, moving: list[Reassignment], observed: ObservedReplicas) -> Entry | None:
    parts = observed.partitions[name]
    targets = {r.partition: r.target for r in moving}
    # while a partition moves, Kafka lists its whole set (target and leaving): the factor it had is
    # that set without the replicas still being added
    adding = {r.partition: r.adding for r in moving}
    had = max((len(s.replicas) - len(adding.get(p, ())) for p, s in parts.items()), default=0)
    before = {
        "replication_factor": had,
        "partitions": _lists({p: s.replicas for p, s in parts.items()}),
    }
    total = sum(observed.sizes.get((name, r.partition), 0) * len(r.adding) for r in moving)
    copied = sum(observed.copied.get((name, r.partition), 0) for r in moving)
    progress = f"{len(moving)} partition(s) still moving, {size(copied)} of {size(total)} copied"
    final = {p: targets.get(p, s.replicas) for p, s in parts.items()}
    if all(len(r.adding) == len(r.removing) for r in moving) and all(len(t) == rf for t in final.values()):
        return None  # a move at the same factor, not an RF change: someone else's, left alone
    if any(len(t) != rf for t in final.values()):
        return _entry(
            name,
            "blocked",
            before=before,
            after={"replication_factor": rf, "partitions": _lists(final)},
            changes=(Change("replication_factor", had, rf, blocked=True),),
            reason=f"{IN_PROGRESS} on this topic ({progress}) towards other replica lists than "
            f"replication factor {rf}; kgov never starts a second one",
            hint="wait until it ends (or cancel it with Kafka's reassignment tool), then plan again",
        )
    return _entry(
        name,
        "reassign",
        before=before,
        after={"replication_factor": rf, "partitions": _lists(final)},
        changes=(
            Change("replication_factor", had, rf, "in_progress"),
            *(
                Change(
                    f"partition.{r.partition}",
                    list(parts[r.partition].replicas),
                    list(r.target),
                    "in_progress",
                )
                for r in moving
                if r.partition in parts
            ),
        ),
        notes=(
            f"{IN_PROGRESS} ({progress}); apply starts no other: it waits for this one and then "
            "removes the replication throttles.",
        ),
    )
