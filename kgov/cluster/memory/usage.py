"""In-memory consumer groups and partition logs, mixed into MemoryCluster for unit tests: messages
are counted, not kept (a log is its start and end offsets), and groups hold committed offsets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kgov.cluster.kafka.port import FirstWrites, GroupOffsets, LastWrites, LogOffsets, Partition


class MemoryUsageMixin:
    requests: list[str]
    topics: dict[str, Any]

    def _usage(self) -> dict[str, Any]:
        fresh: dict[str, Any] = {"logs": {}, "groups": {}, "denied": set()}
        state: dict[str, Any] = self.__dict__.setdefault("_usage_state", fresh)
        return state

    def produce(
        self,
        topic: str,
        count: int,
        partition: int = 0,
        at_ms: int | None = None,
        first_ms: int | None = None,
    ) -> None:
        """`count` records, the newest written at `at_ms` (ms since the epoch; None: no timestamp), the
        first at `first_ms` (default `at_ms`); the log's oldest record is the first one ever produced."""
        start, end = self._usage()["logs"].get((topic, partition), (0, 0))
        self._usage()["logs"][(topic, partition)] = (start, end + count)
        if at_ms is not None:
            self._usage().setdefault("written", {})[(topic, partition)] = at_ms
            oldest = self._usage().setdefault("first", {})
            oldest.setdefault((topic, partition), at_ms if first_ms is None else first_ms)

    def first_writes(self, partitions: Sequence[Partition]) -> FirstWrites:
        self.requests.append("list_offsets_for_timestamp")
        first: dict[Partition, int] = self._usage().get("first", {})
        oldest: dict[Partition, int] = {}
        errors: dict[Partition, str] = {}
        for topic, number in partitions:
            known = self.topics.get(topic)
            if known is None or number >= known.partitions:
                errors[(topic, number)] = "UNKNOWN_TOPIC_OR_PART: Broker: Unknown topic or partition"
            elif (topic, number) in first:
                oldest[(topic, number)] = first[(topic, number)]
        return FirstWrites(oldest, errors)

    def last_writes(self, partitions: Sequence[Partition]) -> LastWrites:
        self.requests.append("list_offsets_max_timestamp")
        written: dict[Partition, int] = self._usage().get("written", {})
        newest: dict[Partition, int] = {}
        errors: dict[Partition, str] = {}
        for topic, number in partitions:
            known = self.topics.get(topic)
            if known is None or number >= known.partitions:
                errors[(topic, number)] = "UNKNOWN_TOPIC_OR_PART: Broker: Unknown topic or partition"
            elif (topic, number) in written:
                newest[(topic, number)] = written[(topic, number)]
        return LastWrites(newest, errors)

    def expire(self, topic: str, partition: int = 0) -> None:
        """Retention removed every message: the log is empty, its offsets go on."""
        _, end = self._usage()["logs"].get((topic, partition), (0, 0))
        self._usage()["logs"][(topic, partition)] = (end, end)
        self._usage().get("first", {}).pop((topic, partition), None)

    def commit(self, group: str, topic: str, partition: int, offset: int) -> None:
        self._usage()["groups"].setdefault(group, {})[(topic, partition)] = offset

    def deny_group(self, group: str) -> None:
        self._usage()["denied"].add(group)

    def list_groups(self) -> list[str]:
        self.requests.append("list_consumer_groups")
        return sorted(self._usage()["groups"])

    def group_offsets(self, groups: Sequence[str]) -> GroupOffsets:
        offsets: dict[str, dict[Partition, int]] = {}
        errors: dict[str, str] = {}
        state = self._usage()
        for group in groups:
            self.requests.append("list_consumer_group_offsets")  # one per group, as Kafka's admin API
            if group in state["denied"]:
                errors[group] = "GROUP_AUTHORIZATION_FAILED: Group authorization failed."
            elif state["groups"].get(group):
                offsets[group] = dict(state["groups"][group])
        return GroupOffsets(offsets, errors)

    def log_offsets(self, partitions: Sequence[Partition]) -> LogOffsets:
        self.requests.append("list_offsets")  # latest; earliest only where a log does not end at 0
        start: dict[Partition, int] = {}
        end: dict[Partition, int] = {}
        errors: dict[Partition, str] = {}
        for topic, number in partitions:
            known = self.topics.get(topic)
            if known is None or number >= known.partitions:
                errors[(topic, number)] = "UNKNOWN_TOPIC_OR_PART: Broker: Unknown topic or partition"
                continue
            start[(topic, number)], end[(topic, number)] = self._usage()["logs"].get((topic, number), (0, 0))
        if any(offset > 0 for offset in end.values()):
            self.requests.append("list_offsets")
        return LogOffsets(start, end, errors)
