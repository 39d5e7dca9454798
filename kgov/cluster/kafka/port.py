"""The narrow interface through which kgov talks to Kafka's admin API.

Only kgov/cluster/kafka/adapter/ implements it against a real broker (the one package importing
confluent_kafka); kgov/cluster/memory/kafka.py implements it in memory for unit tests.
Every method takes a whole batch: the number of requests must not grow with the number of resources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kgov.cluster.kafka.access_port import AccessPort
from kgov.state import TopicListing, TopicSpec


@dataclass(frozen=True)
class ConfigOp:
    key: str
    value: str | None  # None: delete the override, back to Kafka's default


# Per-resource outcome of a batched write: None on success, else Kafka's error text.
Outcome = Mapping[str, str | None]
Partition = tuple[str, int]  # (topic, partition)


@dataclass(frozen=True)
class GroupOffsets:
    """Committed offsets per consumer group (groups without a commit are absent from `offsets`),
    and the error of each group Kafka would not answer for (e.g. no DESCRIBE on the group)."""

    offsets: Mapping[str, Mapping[Partition, int]]
    errors: Mapping[str, str]


@dataclass(frozen=True)
class LogOffsets:
    """Each partition's first (earliest retained) and next (end) offset; errors by partition."""

    start: Mapping[Partition, int]
    end: Mapping[Partition, int]
    errors: Mapping[Partition, str]


@dataclass(frozen=True)
class LastWrites:
    """Per partition, the timestamp (ms since the epoch) of its newest retained record, absent for a
    partition that holds none; errors by partition."""

    newest: Mapping[Partition, int]
    errors: Mapping[Partition, str]


@dataclass(frozen=True)
class FirstWrites:
    """Per partition, the timestamp (ms since the epoch) of its oldest retained record, absent for a
    partition that holds none; errors by partition."""

    oldest: Mapping[Partition, int]
    errors: Mapping[Partition, str]


class KafkaAdmin(AccessPort, Protocol):  # + ACLs and SCRAM users: kgov/cluster/kafka/access_port.py
    def list_topics(self) -> TopicListing:
        """All topics with partition count and replication factor (one metadata request)."""
        ...

    def describe_topics(self, names: Sequence[str]) -> TopicListing:
        """The named topics only, as list_topics shows them (absent ones left out), in fixed-size
        batches: a scoped plan reads what it plans, not the whole cluster's metadata."""
        ...

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        """Explicit (DYNAMIC_TOPIC_CONFIG) configs of the named topics, in fixed-size batches."""
        ...

    # -- usage (`kgov audit`): consumer groups and offsets -------------------------------------
    def list_groups(self) -> Sequence[str]:
        """The ids of every consumer group (one ListGroups request per broker, sent by one call)."""
        ...

    def group_offsets(self, groups: Sequence[str]) -> GroupOffsets:
        """Committed offsets of each group. Kafka's admin API (confluent-kafka) takes one group per
        OffsetFetch call: the request count grows with the number of groups (not topics); the calls
        are sent together and their answers awaited at once."""
        ...

    def log_offsets(self, partitions: Sequence[Partition]) -> LogOffsets:
        """Earliest and latest offsets of the partitions: one ListOffsets batch for the latest, then one
        for the earliest of the partitions whose log does not end at 0 (a log that ends at 0 never held
        a record and starts at 0); a batch per partition leader on the wire, cut by BATCH."""
        ...

    def last_writes(self, partitions: Sequence[Partition]) -> LastWrites:
        """The newest record's timestamp of each partition (ListOffsets max-timestamp, Kafka 3.0+):
        one batch, a request per partition leader on the wire, cut by BATCH."""
        ...

    def first_writes(self, partitions: Sequence[Partition]) -> FirstWrites:
        """The oldest retained record's timestamp of each partition: ListOffsets by timestamp 0 answers
        the first record whose timestamp is at least 0, with that timestamp (the log's first record,
        unless producers set timestamps out of order). One batch, a request per leader on the wire."""
        ...

    def create_topics(self, topics: Sequence[TopicSpec]) -> Outcome: ...

    def create_partitions(self, counts: Mapping[str, int]) -> Outcome: ...

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome: ...

    def delete_topics(self, names: Sequence[str]) -> Outcome: ...
