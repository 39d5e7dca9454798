"""Usage, from consumer-group offsets: lag per consumer group and topic, topics nobody consumes,
and empty topics. Read in a fixed set of batched requests (kgov/cluster/kafka/adapter/usage.py: one
listing of the groups, one offset fetch per group, one ListOffsets batch for each end of the logs)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from kgov.cluster.kafka.port import GroupOffsets, KafkaAdmin, LogOffsets
from kgov.errors import ClusterError
from kgov.plan.model import JSON
from kgov.redact import redact


@dataclass(frozen=True)
class Lag:
    """One group on one topic: the messages behind its committed offsets, summed over the
    partitions it committed (a partition without a commit has no lag to report)."""

    group: str
    topic: str
    lag: int
    partitions: int  # with a committed offset
    of: int  # partitions of the topic


@dataclass(frozen=True)
class Retire:
    """A candidate to retire: no group has committed offsets on it and nothing was written to it
    within the window (ownership.retire_after, by default ownership.active_within)."""

    topic: str
    last_write_ms: int | None  # its newest retained record's timestamp; None: it holds none
    bytes: int | None  # on disk, all replicas; None: not read (no replica port, or a broker silent)

    def to_json(self) -> JSON:
        last = None
        if self.last_write_ms is not None:
            last = datetime.fromtimestamp(self.last_write_ms / 1000, UTC).isoformat(timespec="seconds")
        return {"topic": self.topic, "last_write": last, "bytes": self.bytes}


@dataclass(frozen=True)
class Usage:
    groups: tuple[str, ...]
    lag: tuple[Lag, ...]
    unconsumed: tuple[str, ...]  # no group has committed an offset on them
    empty: tuple[str, ...]  # no message retained: every partition's start equals its end
    retire: tuple[Retire, ...] = ()  # candidates to retire (read only with a window)

    def to_json(self) -> JSON:
        return {
            "retire_candidates": [r.to_json() for r in self.retire],
            "groups": list(self.groups),
            "lag": [
                {"group": x.group, "topic": x.topic, "lag": x.lag, "partitions": x.partitions, "of": x.of}
                for x in self.lag
            ],
            "unconsumed_topics": list(self.unconsumed),
            "empty_topics": list(self.empty),
        }


def read_usage(
    kafka: KafkaAdmin,
    topics: Mapping[str, int],
    retire_after_ms: int | None = None,
    sizes: Any = None,
    now_ms: int | None = None,
) -> tuple[Usage | None, list[str]]:
    """The usage of `topics` (name -> partitions); None and a warning when Kafka will not say.

    With `retire_after_ms`, also the candidates to retire: of the topics no group consumes, those
    with no write within that window (one ListOffsets max-timestamp batch), with their bytes on disk
    when `sizes` (the replica port) is given (one DescribeLogDirs request per broker)."""
    found, warnings = _read_usage(kafka, topics)
    if found is None or retire_after_ms is None or not found.unconsumed:
        return found, warnings
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    idle = {t: topics[t] for t in found.unconsumed}
    try:
        writes = kafka.last_writes([(t, p) for t, n in sorted(idle.items()) for p in range(n)])
    except ClusterError as exc:
        return found, [*warnings, f"candidates to retire not reported: {exc.message}"]
    since = now - retire_after_ms
    retire: list[tuple[str, int | None]] = []
    for topic, count in sorted(idle.items()):
        if any((topic, p) in writes.errors for p in range(count)):
            continue
        stamps = [writes.newest[(topic, p)] for p in range(count) if (topic, p) in writes.newest]
        last = max(stamps) if stamps else None
        if last is None or last < since:
            retire.append((topic, last))
    on_disk = _sizes(sizes, {t: idle[t] for t, _ in retire}) if sizes is not None and retire else {}
    return replace(found, retire=tuple(Retire(t, last, on_disk.get(t)) for t, last in retire)), warnings


def _sizes(port: Any, topics: Mapping[str, int]) -> dict[str, int]:
    try:
        found = port.describe_log_dirs([(t, p) for t, n in sorted(topics.items()) for p in range(n)])
    except ClusterError:
        return {}
    if found.errors:  # a broker that did not answer: its replicas' bytes would be missing
        return {}
    out: dict[str, int] = {}
    for (topic, _), replicas in found.sizes.items():
        out[topic] = out.get(topic, 0) + sum(replicas.values())
    return out


def _read_usage(kafka: KafkaAdmin, topics: Mapping[str, int]) -> tuple[Usage | None, list[str]]:
    try:
        groups = list(kafka.list_groups())
        offsets = kafka.group_offsets(groups) if groups else GroupOffsets({}, {})
        logs = kafka.log_offsets([(t, p) for t, n in sorted(topics.items()) for p in range(n)])
    except ClusterError as exc:
        return None, [f"usage (consumer lag, unconsumed and empty topics) not reported: {exc.message}"]
    # the client's own error text: it may quote a resolved setting, so it is redacted like any error
    errors = sorted(offsets.errors.items())
    warnings = [redact(f"consumer group {g}: offsets not read ({e})") for g, e in errors]
    unread = sorted({t for t, _ in logs.errors})
    if unread:
        more = f" (and {len(unread) - 5} more)" if len(unread) > 5 else ""
        warnings.append(f"offsets of topic {', '.join(unread[:5])}{more} not read; left out of usage")
    return usage(topics, groups, offsets, logs), warnings


def usage(topics: Mapping[str, int], groups: list[str], offsets: GroupOffsets, logs: LogOffsets) -> Usage:
    """Pure: the usage of `topics` from the offsets read."""
    lags: list[Lag] = []
    consumed: set[str] = set()
    for group in sorted(offsets.offsets):
        by_topic: dict[str, list[int]] = {}
        for (topic, partition), committed in offsets.offsets[group].items():
            end = logs.end.get((topic, partition))
            if topic not in topics or end is None:
                continue
            by_topic.setdefault(topic, []).append(max(0, end - committed))
        for topic, behind in sorted(by_topic.items()):
            consumed.add(topic)
            lags.append(Lag(group, topic, sum(behind), len(behind), topics[topic]))
    readable = [t for t in sorted(topics) if not any((t, p) in logs.errors for p in range(topics[t]))]
    empty = tuple(
        t for t in readable if all(logs.start.get((t, p)) == logs.end.get((t, p)) for p in range(topics[t]))
    )
    return Usage(tuple(sorted(groups)), tuple(lags), tuple(t for t in readable if t not in consumed), empty)
