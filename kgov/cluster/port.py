"""The narrow interface through which kgov sees a cluster, and the state it reads.

Only kgov/cluster/kafka.py implements it against a real broker (the one module importing
confluent_kafka.admin); kgov/cluster/memory.py implements it in memory for unit tests.
Every method takes a whole batch: the number of requests must not grow with the number of topics.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kgov.cluster.access_port import AccessPort


@dataclass(frozen=True)
class TopicInfo:
    """What one metadata request says of a topic."""

    name: str
    partitions: int
    replication_factor: int


@dataclass(frozen=True)
class ObservedTopic:
    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str] = field(default_factory=dict)  # explicit overrides (DYNAMIC_TOPIC_CONFIG) only


@dataclass(frozen=True)
class ObservedState:
    """The part of the cluster a plan is about: the topics in its scope."""

    topics: Mapping[str, ObservedTopic]

    def fingerprint(self) -> str:
        """A digest of everything the plan was computed from; apply refuses a plan whose digest moved."""
        doc = {
            name: [t.partitions, t.replication_factor, sorted(t.config.items())]
            for name, t in sorted(self.topics.items())
        }
        return "sha256:" + hashlib.sha256(json.dumps(doc, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class NewTopic:
    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfigOp:
    key: str
    value: str | None  # None: delete the override, back to Kafka's default


# Per-resource outcome of a batched write: None on success, else Kafka's error text.
Outcome = Mapping[str, str | None]


class ClusterReader(Protocol):
    def list_topics(self) -> Sequence[TopicInfo]:
        """All topics with partition count and replication factor (one metadata request)."""
        ...

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        """Explicit (DYNAMIC_TOPIC_CONFIG) configs of the named topics, in fixed-size batches."""
        ...


class ClusterWriter(Protocol):
    def create_topics(self, topics: Sequence[NewTopic]) -> Outcome: ...

    def create_partitions(self, counts: Mapping[str, int]) -> Outcome: ...

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome: ...

    def delete_topics(self, names: Sequence[str]) -> Outcome: ...


class Cluster(ClusterReader, ClusterWriter, AccessPort, Protocol):
    """A cluster that can be read and written."""
