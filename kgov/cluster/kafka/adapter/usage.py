"""Consumer groups and offsets over confluent_kafka's AdminClient (a mixin of KafkaCluster), for the
usage part of `kgov audit`: lag per group and topic, topics nobody consumes, empty topics.

Request counts: one ListGroups call; one OffsetFetch call per group (confluent-kafka's
list_consumer_group_offsets takes a single group, so this grows with the groups, never with the
topics; the calls are sent together, GROUPS_IN_FLIGHT at a time, and awaited at once); one
ListOffsets batch for the earliest offsets and one for the latest (5,000 partitions a batch).
A partition Kafka answers with a retriable error (a topic created a moment ago whose leader is not
elected yet) is asked again, at most RETRIES times and only for those partitions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import Any

from confluent_kafka import ConsumerGroupTopicPartitions, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import OffsetSpec

from kgov.cluster.interrupt import wait_futures
from kgov.cluster.kafka.adapter.base import KafkaBase, error_text
from kgov.cluster.kafka.port import FirstWrites, GroupOffsets, LastWrites, LogOffsets, Partition
from kgov.errors import ClusterError

GROUPS_IN_FLIGHT = 500
RETRIES, RETRY_PAUSE_S = 3, 0.3  # a leader election takes a few hundred milliseconds


# what a partition answers while its leader is being elected (a topic created a moment ago)
_ELECTING = frozenset({
    "LEADER_NOT_AVAILABLE", "NOT_LEADER_FOR_PARTITION", "NOT_LEADER_OR_FOLLOWER", "OFFSET_NOT_AVAILABLE",
    "UNKNOWN_TOPIC_OR_PART", "REQUEST_TIMED_OUT", "_TIMED_OUT", "_TRANSPORT",
})  # fmt: skip


def _retriable(exc: Any) -> bool:
    err = exc.args[0] if isinstance(exc, KafkaException) and exc.args else None
    if not isinstance(err, KafkaError):
        return False
    return bool(err.retriable()) or str(err.name()) in _ELECTING


def _key(tp: TopicPartition) -> str:
    return f"{tp.topic}:{tp.partition}"  # ':' is not legal in a topic name


class KafkaUsageMixin(KafkaBase):
    def list_groups(self) -> list[str]:
        try:
            found = self._one(
                "list_consumer_groups",
                lambda: self._admin.list_consumer_groups(request_timeout=self._timeout),
            )
        except KafkaException as exc:
            raise ClusterError(f"cannot list the consumer groups: {error_text(exc)}") from None
        if found.errors:  # a broker that did not answer: its groups would look unconsumed
            raise ClusterError(f"cannot list the consumer groups: {found.errors[0]}")
        return sorted({g.group_id for g in found.valid})

    def group_offsets(self, groups: Sequence[str]) -> GroupOffsets:
        offsets: dict[str, dict[Partition, int]] = {}
        errors: dict[str, str] = {}
        names = sorted(set(groups))
        for start in range(0, len(names), GROUPS_IN_FLIGHT):
            futures: dict[str, Future[Any]] = {}
            for group in names[start : start + GROUPS_IN_FLIGHT]:
                self.requests["list_consumer_group_offsets"] += 1
                futures.update(
                    self._admin.list_consumer_group_offsets(
                        [ConsumerGroupTopicPartitions(group)], request_timeout=self._timeout
                    )
                )
            self._read_group_offsets(futures, offsets, errors)
        return GroupOffsets(offsets, errors)

    def _read_group_offsets(
        self,
        futures: dict[str, Future[Any]],
        offsets: dict[str, dict[Partition, int]],
        errors: dict[str, str],
    ) -> None:
        limit = self._timeout + 5
        wait_futures(futures.values(), limit)  # in slices: Ctrl-C stops the wait
        for group, future in futures.items():
            if not future.done():
                errors[group] = f"no answer from Kafka within {limit:g}s"
                continue
            try:
                answer = future.result()
            except KafkaException as exc:
                errors[group] = error_text(exc)
                continue
            got = {
                (tp.topic, tp.partition): tp.offset
                for tp in answer.topic_partitions or ()
                if tp.error is None and tp.offset >= 0  # -1001: nothing committed
            }
            if got:
                offsets[group] = got

    def log_offsets(self, partitions: Sequence[Partition]) -> LogOffsets:
        items = sorted(set(partitions))
        found: dict[str, dict[Partition, int]] = {"start": {}, "end": {}}
        errors: dict[Partition, str] = {}
        specs = (("end", OffsetSpec.latest()), ("start", OffsetSpec.earliest()))  # type: ignore[no-untyped-call]
        for which, spec in specs:
            if which == "start":  # a partition whose log ends at 0 never held a record: it starts at 0
                found["start"] = {tp: 0 for tp, end in found["end"].items() if end == 0}
                items = [tp for tp in items if found["end"].get(tp, 0) > 0]
                if not items:
                    break
            for tp, result, exc in self._list_offsets(items, spec):
                if exc is not None:
                    errors[tp] = error_text(exc)
                else:
                    found[which][tp] = int(result.offset)
        return LogOffsets(found["start"], found["end"], errors)

    def last_writes(self, partitions: Sequence[Partition]) -> LastWrites:
        items = sorted(set(partitions))
        newest: dict[Partition, int] = {}
        errors: dict[Partition, str] = {}
        spec = OffsetSpec.max_timestamp()  # type: ignore[no-untyped-call]
        for tp, result, exc in self._list_offsets(items, spec):
            if exc is not None:
                errors[tp] = error_text(exc)
            elif int(result.offset) >= 0 and int(result.timestamp) >= 0:  # -1: an empty log
                newest[tp] = int(result.timestamp)
        return LastWrites(newest, errors)

    def first_writes(self, partitions: Sequence[Partition]) -> FirstWrites:
        items = sorted(set(partitions))
        oldest: dict[Partition, int] = {}
        errors: dict[Partition, str] = {}
        spec = OffsetSpec.for_timestamp(0)
        for tp, result, exc in self._list_offsets(items, spec):
            if exc is not None:
                errors[tp] = error_text(exc)
            elif int(result.offset) >= 0 and int(result.timestamp) >= 0:  # -1: an empty log
                oldest[tp] = int(result.timestamp)
        return FirstWrites(oldest, errors)

    def _list_offsets(self, items: Sequence[Partition], spec: Any) -> Iterator[tuple[Partition, Any, Any]]:
        """ListOffsets of `spec` for every partition, in the adapter's batches: (partition, the
        answer, the exception) each."""

        def send(chunk: Sequence[Partition]) -> dict[Any, Future[Any]]:
            return self._admin.list_offsets(
                {TopicPartition(t, p): spec for t, p in chunk}, request_timeout=self._timeout
            )

        todo = list(items)
        for attempt in range(RETRIES + 1):
            again: list[Partition] = []
            for name, (result, exc) in self._batched("list_offsets", todo, send, key=_key).items():
                topic, _, number = name.rpartition(":")
                tp = (topic, int(number))
                if exc is not None and _retriable(exc) and attempt < RETRIES:
                    again.append(tp)
                else:
                    yield tp, result, exc
            if not again:
                return
            time.sleep(RETRY_PAUSE_S * (attempt + 1))
            todo = sorted(again)
