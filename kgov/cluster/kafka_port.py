"""The narrow interface through which kgov talks to Kafka's admin API.

Only kgov/cluster/kafka.py implements it against a real broker (the one module importing
confluent_kafka.admin); kgov/cluster/memory.py implements it in memory for unit tests.
Every method takes a whole batch: the number of requests must not grow with the number of resources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kgov.cluster.access_port import AccessPort
from kgov.state import TopicListing, TopicSpec


@dataclass(frozen=True)
class ConfigOp:
    key: str
    value: str | None  # None: delete the override, back to Kafka's default


# Per-resource outcome of a batched write: None on success, else Kafka's error text.
Outcome = Mapping[str, str | None]


class KafkaAdmin(AccessPort, Protocol):  # + ACLs and SCRAM users: kgov/cluster/access_port.py
    def list_topics(self) -> TopicListing:
        """All topics with partition count and replication factor (one metadata request)."""
        ...

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        """Explicit (DYNAMIC_TOPIC_CONFIG) configs of the named topics, in fixed-size batches."""
        ...

    def create_topics(self, topics: Sequence[TopicSpec]) -> Outcome: ...

    def create_partitions(self, counts: Mapping[str, int]) -> Outcome: ...

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome: ...

    def delete_topics(self, names: Sequence[str]) -> Outcome: ...
