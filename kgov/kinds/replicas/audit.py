"""Replica health in `kgov audit`: under-replicated partitions, replica counts other than the
catalog's replication_factor, reassignments in progress and leaders off their preferred replica.

Everything comes from what observe already read (kgov/kinds/replicas/observe.py): one metadata
request gives every partition's replicas, in-sync replicas and leader, and one
ListPartitionReassignments the moves in progress, for the whole cluster; so the audit adds no
request, whatever the number of topics. Every topic observe read is checked (unmanaged and internal
ones too: a partition at risk is one whoever owns it); the replica count only for the catalog's
topics, which are the ones with a factor to compare with.

One finding per topic and rule, naming its partitions. Severities: `under-replicated` is an error
(a broker fewer and data may be lost or writes refused); `replica-count` a warning (drift: the
plan's `reassign` entry for the topic fixes it); `preferred-leader` a warning (load sits on the
wrong broker; a preferred leader election moves it back; reported only where the preferred replica
is in sync, so that the election can); `reassignment-in-progress` is info (the
cluster is moving data: a replica being added is not counted as out of sync, and a moving partition
is judged on its move, not on its count or leader). Without DESCRIBE on the cluster the moves are
unknown: `reassignments-unread` (a warning) says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kgov.cluster.kafka.port import Partition
from kgov.cluster.kafka.reassign_port import Reassignment
from kgov.cluster.kafka.replica_port import PartitionState
from kgov.kinds.base import SEVERITIES, AuditView, DiffContext, FindsViolations, Unmanaged, Violation
from kgov.kinds.ownership import is_protected, protected_patterns
from kgov.kinds.rates import size
from kgov.kinds.replicas.desired import desired_factors
from kgov.kinds.replicas.leftover_audit import leftover_findings
from kgov.kinds.replicas.observe import ObservedReplicas

KIND = "replicas"
UNDER = "under-replicated"
COUNT = "replica-count"
LEADER = "preferred-leader"
MOVING = "reassignment-in-progress"
UNREAD = "reassignments-unread"
REFUSED = (
    "kgov may not DESCRIBE the cluster, so the reassignments in progress are unknown: a partition "
    "being moved shows as under-replicated, and its replica count as differing"
)
DETAILS = 10  # per-partition facts (or moves) named in one finding
SPANS = 50  # partitions or ranges listed in one list, then how many more


class AuditsReplicas(FindsViolations):
    """The replica kind's audit hook (declared by kgov/kinds/replicas/ReplicaKind)."""

    def violations(
        self, observed: Any, unmanaged: Sequence[Unmanaged], ctx: DiffContext, view: AuditView
    ) -> list[Violation]:
        if observed is None:
            return []  # `audit --catalog-only`: nothing read, no replica to judge
        protected = protected_patterns(ctx.settings.ownership.protected)
        factors = {
            t: rf
            for t, rf in desired_factors(view.catalog, ctx.environment).items()
            if not is_protected(t, protected)  # as the diff: kgov never plans a protected topic
        }
        found = [*replica_findings(observed, factors), *leftover_findings(observed, factors, ctx)]
        return ranked(found)


def replica_findings(observed: ObservedReplicas, factors: Mapping[str, int]) -> list[Violation]:
    """The findings of every observed topic, the most urgent first, then by rule and topic."""
    found: list[Violation] = []
    for topic in sorted(observed.partitions):
        parts = observed.partitions[topic]
        moving = {p: observed.moving[(topic, p)] for p in parts if (topic, p) in observed.moving}
        found += _under_replicated(topic, parts, moving)
        if topic in factors:
            found += _count(topic, parts, moving, factors[topic])
        found += _off_preferred(topic, parts, moving)
        found += _in_progress(topic, moving, observed)
    if observed.refused:
        found.append(Violation(UNREAD, KIND, "kafka-cluster", REFUSED, "warning"))
    return ranked(found)


def ranked(found: Iterable[Violation]) -> list[Violation]:
    """The most urgent first, then by rule and name."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(found, key=lambda v: (rank[v.severity], v.rule, v.name))


def spans(partitions: Iterable[int], most: int = SPANS) -> str:
    """'0-3, 5, 7, 8': runs of three or more as a range, so a large topic's list stays short; past
    `most` items, how many partitions are left out."""
    ordered = sorted(set(partitions))
    runs: list[tuple[int, int]] = []  # (first, last) of each run of consecutive partitions
    for p in ordered:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    items: list[tuple[str, int]] = []  # (text, partitions it names)
    for first, last in runs:
        if last - first >= 2:
            items.append((f"{first}-{last}", last - first + 1))
        else:
            items.extend((str(p), 1) for p in range(first, last + 1))
    shown = ", ".join(text for text, _ in items[:most])
    left = len(ordered) - sum(n for _, n in items[:most])
    return f"{shown} and {left} more" if left else shown


def _partitions(partitions: Iterable[int]) -> str:
    listed = sorted(set(partitions))
    return f"partition{'s' if len(listed) > 1 else ''} {spans(listed)}"


def _brokers(brokers: Iterable[int]) -> str:
    listed = list(brokers)
    return f"broker{'s' if len(listed) > 1 else ''} {', '.join(str(b) for b in listed)}"


def _grouped(by_partition: Mapping[int, Any]) -> dict[Any, list[int]]:
    """Partitions grouped by a shared fact (a count, a move), in the order of their first partition."""
    groups: dict[Any, list[int]] = {}
    for p, fact in sorted(by_partition.items()):
        groups.setdefault(fact, []).append(p)
    return groups


def _under_replicated(
    topic: str, parts: Mapping[int, PartitionState], moving: Mapping[int, Reassignment]
) -> list[Violation]:
    out_of_sync: dict[int, tuple[int, ...]] = {}
    for p, s in parts.items():
        adding = moving[p].adding if p in moving else ()
        missing = tuple(b for b in s.replicas if b not in s.isr and b not in adding)
        if missing:
            out_of_sync[p] = missing
    if not out_of_sync:
        return []
    by_broker: dict[int, list[int]] = {}
    for p, missing in sorted(out_of_sync.items()):
        for b in missing:
            by_broker.setdefault(b, []).append(p)
    facts = "; ".join(f"broker {b} out of sync on {_partitions(ps)}" for b, ps in sorted(by_broker.items()))
    leaderless = sorted(p for p in out_of_sync if parts[p].leader is None)
    offline = f"; no leader (offline) on {_partitions(leaderless)}" if leaderless else ""
    message = (
        f"{len(out_of_sync)} of {len(parts)} partition{'s' if len(parts) > 1 else ''} under-replicated "
        f"(fewer in-sync replicas than replicas): {_partitions(out_of_sync)}; {facts}{offline}"
    )
    return [Violation(UNDER, KIND, topic, message, "error")]


def _count(
    topic: str, parts: Mapping[int, PartitionState], moving: Mapping[int, Reassignment], rf: int
) -> list[Violation]:
    counts = {p: len(s.replicas) for p, s in parts.items() if p not in moving and len(s.replicas) != rf}
    if not counts:
        return []
    facts = "; ".join(
        f"{_partitions(ps)} {'have' if len(ps) > 1 else 'has'} {n} replica{'s' if n != 1 else ''}"
        for n, ps in _grouped(counts).items()
    )
    message = (
        f"{facts}; the catalog asks for replication_factor {rf} (drift: the plan carries it out by "
        "a reassignment, or says why it cannot yet)"
    )
    return [Violation(COUNT, KIND, topic, message, "warning")]


def _off_preferred(
    topic: str, parts: Mapping[int, PartitionState], moving: Mapping[int, Reassignment]
) -> list[Violation]:
    # only where an election could move it back: the preferred replica is in sync (a stopped
    # broker's partitions are the under-replicated finding's)
    off = {
        p: (s.leader, s.replicas[0])
        for p, s in sorted(parts.items())
        if p not in moving
        and s.replicas
        and s.leader is not None
        and s.leader != s.replicas[0]
        and s.replicas[0] in s.isr
    }
    if not off:
        return []
    details = [
        f"{p} led by {leader} (preferred {first})" for p, (leader, first) in list(off.items())[:DETAILS]
    ]
    more = f" and {len(off) - DETAILS} more" if len(off) > DETAILS else ""
    their, them = ("their", "them") if len(off) > 1 else ("its", "it")
    message = (
        f"{_partitions(off)} not led by {their} preferred replica (the first of {their} replicas): "
        f"{', '.join(details)}{more}; a preferred leader election moves {them} back"
    )
    return [Violation(LEADER, KIND, topic, message, "warning")]


def _in_progress(
    topic: str, moving: Mapping[int, Reassignment], observed: ObservedReplicas
) -> list[Violation]:
    if not moving:
        return []
    moves = list(_grouped({p: (r.adding, r.removing) for p, r in moving.items()}).items())
    facts = "; ".join(
        f"{_partitions(ps)} {_move(adding, removing)}" for (adding, removing), ps in moves[:DETAILS]
    )
    more = f"; and {len(moves) - DETAILS} other moves" if len(moves) > DETAILS else ""
    message = f"a reassignment is in progress on {_partitions(moving)}: {facts}{more}"
    keys: list[Partition] = [(topic, p) for p in moving]
    if all(k in observed.sizes for k in keys):  # sizes are read for the catalog's moving topics
        total = sum(observed.sizes[k] * len(moving[k[1]].adding) for k in keys)
        copied = sum(observed.copied.get(k, 0) for k in keys)
        message += f"; {size(copied)} of {size(total)} copied" if total else ""
    return [Violation(MOVING, KIND, topic, message, "info")]


def _move(adding: Sequence[int], removing: Sequence[int]) -> str:
    said = [
        f"adding {_brokers(adding)}" if adding else "",
        f"removing {_brokers(removing)}" if removing else "",
    ]
    return " and ".join(x for x in said if x) or "reordering their replicas"
