"""The logs of existing topics a plan changes that only time bounds (no retention.bytes): their storage
at retention is the measured write rate x retention.ms x replication factor (docs/capacity.md).

Read once for all of them, whatever their number: one DescribeLogDirs request per broker (the replica
port, as the delete evidence reads bytes on disk; plus its one DescribeCluster), and two ListOffsets
batches (a request per partition leader each): max-timestamp for the newest record and timestamp 0
for the oldest (Kafka answers the first record whose timestamp is at least 0, with its timestamp).
A partition's write rate is one replica's bytes over the time its records span (newest - oldest).

A topic is left unmeasured (and stays `unsized`) when a read fails, a broker did not answer, or a
partition that holds bytes has no span to measure (one record, or timestamps all alike); an empty
topic has no rate to measure either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from kgov.catalog.model import Capacity
from kgov.cluster.kafka.port import KafkaAdmin, Partition
from kgov.errors import ClusterError
from kgov.kinds.topics.capacity import (
    Measured,
    above,
    above_message,
    bound,
    measured_note,
    retention_ms,
    storage,
)
from kgov.plan.model import EVIDENCE, JSON, Entry

# what a topic's storage at retention depends on: a change elsewhere does not need a measurement
_SIZED = ("partitions", "replication_factor")
_SIZED_CONFIGS = ("retention.ms", "retention.bytes", "cleanup.policy")


def to_measure(entries: Sequence[Entry]) -> dict[str, int]:
    """Changed topics whose size depends on their write rate, with their partition count now."""
    out: dict[str, int] = {}
    for e in entries:
        before, after = e.before, e.after
        if e.action != "update" or not isinstance(before, dict) or not isinstance(after, dict):
            continue
        if bound(after) is not None and bound(before) is not None:
            continue  # both sides bounded by bytes
        if retention_ms(after) is None and retention_ms(before) is None:
            continue  # compacted or kept forever: a rate does not bound it
        if not _changes_size(before, after):
            continue
        count = before.get("partitions")
        if isinstance(count, int) and count > 0:
            out[e.name] = count
    return out


def _changes_size(before: dict[str, Any], after: dict[str, Any]) -> bool:
    if any(before.get(k) != after.get(k) for k in _SIZED):
        return True
    old, new = before.get("config") or {}, after.get("config") or {}
    return any(old.get(k) != new.get(k) for k in _SIZED_CONFIGS)


def read_measured(
    kafka: KafkaAdmin, sizes: Any, topics: Mapping[str, int], current: Mapping[str, JSON]
) -> dict[str, Measured]:
    """`sizes`: the replica port (describe_log_dirs), None: nothing is measured. `current`: each
    topic's desired JSON before the change (its retention.ms now)."""
    if not topics or sizes is None:
        return {}
    partitions = [(t, p) for t, n in sorted(topics.items()) for p in range(n)]
    try:
        on_disk = sizes.describe_log_dirs(partitions)
        newest = kafka.last_writes(partitions)
        oldest = kafka.first_writes(partitions)
    except ClusterError:
        return {}
    if on_disk.errors:  # a broker did not answer: its replicas' bytes are missing
        return {}
    out: dict[str, Measured] = {}
    for topic, count in topics.items():
        ms = retention_ms(current.get(topic))
        if ms is None:
            continue
        logs = _logs(topic, count, on_disk.sizes, newest.newest, oldest.oldest)
        if logs:
            out[topic] = Measured(logs, ms)
    return out


def _logs(
    topic: str,
    count: int,
    sizes: Mapping[Partition, Mapping[int, int]],
    newest: Mapping[Partition, int],
    oldest: Mapping[Partition, int],
) -> tuple[tuple[int, int], ...] | None:
    logs = []
    for p in range(count):
        key = (topic, p)
        if key not in sizes:
            return None  # no broker reported on it
        held = max(sizes[key].values(), default=0)  # the largest replica: the leader's full log
        if key not in newest or key not in oldest:
            if held:
                return None  # bytes but no record timestamps (unread): not measurable
            continue  # an empty partition adds nothing
        span = newest[key] - oldest[key]
        if span <= 0:
            return None  # one record, or timestamps all alike: no rate
        logs.append((held, span))
    return tuple(logs) or None


def with_measured(entries: Sequence[Entry], measured: Mapping[str, Measured], limit: Capacity) -> list[Entry]:
    """Each measured topic gets its measurement as evidence (read from the cluster, so not part of
    the plan's fingerprint: the next write changes it); policy.capacity's byte threshold marks it or
    blocks it as it does a topic bounded by retention.bytes."""
    out = []
    for e in entries:
        m = measured.get(e.name)
        if m is None or e.action != "update":
            out.append(e)
            continue
        sized = storage(e.name, e.before, e.after, m)
        note = measured_note(sized, e.after)
        if note is None:
            out.append(e)
            continue
        threshold = limit.max_bytes_at_retention
        if threshold is None or not above(sized, threshold):
            out.append(replace(e, notes=(*e.notes, f"{EVIDENCE}{note}")))
        elif limit.on_exceed == "block":
            out.append(
                replace(
                    e,
                    action="blocked",
                    reason=f"{above_message(sized, threshold)} ({note})",
                    hint="lower partitions or retention.ms, or raise "
                    "policy.capacity.max_bytes_at_retention in kgov.yaml",
                )
            )
        else:
            message = f"attention: {above_message(sized, threshold)}"
            out.append(replace(e, notes=(*e.notes, f"{EVIDENCE}{note}; {message}")))
    return out
