"""Usage, from consumer-group offsets: lag per consumer group and topic, topics nobody consumes,
and empty topics. Read in a fixed set of batched requests (kgov/cluster/kafka/adapter/usage.py: one
listing of the groups, one offset fetch per group, one ListOffsets batch for each end of the logs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
class Usage:
    groups: tuple[str, ...]
    lag: tuple[Lag, ...]
    unconsumed: tuple[str, ...]  # no group has committed an offset on them
    empty: tuple[str, ...]  # no message retained: every partition's start equals its end

    def to_json(self) -> JSON:
        return {
            "groups": list(self.groups),
            "lag": [
                {"group": x.group, "topic": x.topic, "lag": x.lag, "partitions": x.partitions, "of": x.of}
                for x in self.lag
            ],
            "unconsumed_topics": list(self.unconsumed),
            "empty_topics": list(self.empty),
        }


def read_usage(kafka: KafkaAdmin, topics: Mapping[str, int]) -> tuple[Usage | None, list[str]]:
    """The usage of `topics` (name -> partitions); None and a warning when Kafka will not say."""
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
