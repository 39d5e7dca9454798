"""Deletes that show their evidence: for each topic a plan deletes, the consumer groups with committed
offsets on it (and their lag), the newest record's time and the bytes on disk, read once for all of
them (one group listing, the groups' offsets, one ListOffsets batch for the log ends and one for the
max timestamps; with the replica port, one DescribeLogDirs request per broker).

A topic in use within ownership.active_within (a group holds committed offsets on it, or a record was
written within the window) is blocked with its evidence unless the run says --allow-delete-active;
any other delete carries the evidence in a note. Kafka's admin API does not say when a group
committed: a group that still holds offsets counts as in use (Kafka drops an empty group's offsets
after offsets.retention.minutes, 7 days by default, the same as the default window)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from kgov.cluster.kafka.port import GroupOffsets, KafkaAdmin, LastWrites, Partition
from kgov.errors import ClusterError
from kgov.kinds.base import DiffContext
from kgov.kinds.rates import size
from kgov.plan.model import EVIDENCE, Entry
from kgov.redact import redact

SHOWN_GROUPS = 5


@dataclass(frozen=True)
class Lag:
    """A group with committed offsets on the topic: messages behind, summed over its partitions
    (as the audit's usage counts them, kgov/audit/usage.py)."""

    group: str
    lag: int


@dataclass(frozen=True)
class TopicEvidence:
    lags: tuple[Lag, ...]  # the groups with committed offsets on the topic
    last_write_ms: int | None  # the newest retained record's timestamp; None: no record retained
    unread: str | None = None  # why the evidence could not be read
    bytes: int | None = None  # on disk, all replicas (DescribeLogDirs); None: not read


def topic_evidence(
    kafka: KafkaAdmin,
    entries: Sequence[Entry],
    ctx: DiffContext,
    sizes: Any = None,
    now_ms: Callable[[], int] | None = None,
) -> list[Entry]:
    """`sizes`: the replica port (describe_log_dirs, one request per broker), or None: no bytes."""
    deleted = {e.name: _partitions(e) for e in entries if e.action == "delete"}
    found = read_evidence(kafka, deleted)
    on_disk = read_sizes(sizes, deleted) if sizes is not None else {}
    found = {t: replace(ev, bytes=on_disk.get(t)) for t, ev in found.items()}
    now = now_ms() if now_ms is not None else int(time.time() * 1000)
    since = now - ctx.settings.ownership.active_within_ms
    return [
        _judged(e, found[e.name], since, now, ctx) if e.name in deleted and e.action == "delete" else e
        for e in entries
    ]


def read_evidence(kafka: KafkaAdmin, topics: dict[str, int]) -> dict[str, TopicEvidence]:
    partitions = [(t, p) for t, n in sorted(topics.items()) for p in range(n)]
    try:
        groups = list(kafka.list_groups())
        offsets = kafka.group_offsets(groups) if groups else GroupOffsets({}, {})
        logs = kafka.log_offsets(partitions)
        writes = kafka.last_writes(partitions)
    except ClusterError as exc:
        why = redact(exc.message)
        return {t: TopicEvidence((), None, why) for t in topics}
    behind: dict[str, dict[str, int]] = {}  # topic -> group -> lag
    for group in sorted(offsets.offsets):
        for (topic, partition), committed in offsets.offsets[group].items():
            end = logs.end.get((topic, partition))
            if topic in topics and end is not None:
                by_group = behind.setdefault(topic, {})
                by_group[group] = by_group.get(group, 0) + max(0, end - committed)
    out: dict[str, TopicEvidence] = {}
    denied = sorted(offsets.errors)
    for topic, count in topics.items():
        lags = tuple(Lag(g, n) for g, n in sorted(behind.get(topic, {}).items()))
        unread = _unread(topic, count, logs.errors, writes, denied)
        stamps = [writes.newest[(topic, p)] for p in range(count) if (topic, p) in writes.newest]
        out[topic] = TopicEvidence(lags, max(stamps) if stamps else None, unread)
    return out


def read_sizes(port: Any, topics: dict[str, int]) -> dict[str, int]:
    """Bytes on disk of each topic, all replicas summed; a topic a broker did not report on is left
    out (its size would be short), as is everything when the port cannot say."""
    try:
        found = port.describe_log_dirs([(t, p) for t, n in sorted(topics.items()) for p in range(n)])
    except ClusterError:
        return {}
    if found.errors:
        return {}
    out: dict[str, int] = {}
    for (topic, _), replicas in found.sizes.items():
        out[topic] = out.get(topic, 0) + sum(replicas.values())
    return out


def _unread(
    topic: str, count: int, log_errors: Mapping[Partition, str], writes: LastWrites, denied: list[str]
) -> str | None:
    bad = [p for p in range(count) if (topic, p) in log_errors or (topic, p) in writes.errors]
    if bad:
        first = log_errors.get((topic, bad[0])) or writes.errors.get((topic, bad[0]))
        return f"the offsets of {len(bad)} of its partitions were not read ({redact(str(first))})"
    if denied:
        shown = ", ".join(denied[:SHOWN_GROUPS]) + (" …" if len(denied) > SHOWN_GROUPS else "")
        return f"the offsets of consumer group(s) {shown} were not read"
    return None


def _partitions(entry: Entry) -> int:
    before = entry.before
    count = before.get("partitions") if isinstance(before, dict) else None
    return count if isinstance(count, int) and count > 0 else 0


def _when(ms: int, now: int) -> str:
    stamp = datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    ago = max(0, now - ms) // 1000
    span = f"{ago // 86400}d" if ago >= 86400 else f"{ago // 3600}h" if ago >= 3600 else f"{ago // 60}m"
    return f"{stamp} ({span} ago)"


def describe(ev: TopicEvidence, now: int) -> str:
    """The evidence in one line, for a reviewer: groups with their lag, the last write."""
    if ev.lags:
        shown = ", ".join(f"{x.group} (lag {x.lag})" for x in ev.lags[:SHOWN_GROUPS])
        more = f" and {len(ev.lags) - SHOWN_GROUPS} more" if len(ev.lags) > SHOWN_GROUPS else ""
        groups = f"consumer groups with committed offsets: {shown}{more}"
    else:
        groups = "no consumer group has committed offsets on it"
    write = (
        f"last write {_when(ev.last_write_ms, now)}" if ev.last_write_ms is not None else "no record retained"
    )
    disk = f"; {size(ev.bytes)} on disk" if ev.bytes is not None else ""
    unread = f"; {ev.unread}" if ev.unread else ""
    return f"{groups}; {write}{disk}{unread}"


def _judged(entry: Entry, ev: TopicEvidence, since: int, now: int, ctx: DiffContext) -> Entry:
    said = describe(ev, now)
    active = bool(ev.lags) or (ev.last_write_ms is not None and ev.last_write_ms >= since)
    if (active or ev.unread) and not ctx.allow_delete_active:
        why = "is in use" if active else "may be in use (kgov could not read all of its evidence)"
        return replace(
            entry,
            action="blocked",
            reason=f"topic {entry.name} {why}: {said}",
            hint="move its consumers and producers off it first, or plan with "
            "--allow-delete --allow-delete-active to delete it anyway",
        )
    return replace(entry, notes=(*entry.notes, f"{EVIDENCE}{said}"))
