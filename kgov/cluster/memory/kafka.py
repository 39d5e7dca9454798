"""An in-memory twin of the Kafka admin port, with Kafka's rules for topics, for fast unit tests."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kgov.cluster.kafka.port import ConfigOp, Outcome
from kgov.cluster.memory.access import MemoryAccessMixin
from kgov.cluster.memory.brokers import MemoryBrokerConfigMixin
from kgov.cluster.memory.usage import MemoryUsageMixin
from kgov.state import TopicListing, TopicSpec

_LEGAL = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")


@dataclass
class _Topic:
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


class MemoryCluster(MemoryAccessMixin, MemoryUsageMixin, MemoryBrokerConfigMixin):
    def __init__(self, brokers: int = 3) -> None:
        self.brokers = brokers
        self.topics: dict[str, _Topic] = {}
        self.requests: list[str] = []  # one entry per request, to check batching
        self.fail: dict[str, str] = {}  # topic name -> error to return for any write to it
        self.listing_errors: dict[str, str] = {}  # topic name -> error its metadata carries
        self._init_broker_configs()  # the broker settings: kgov/cluster/memory/brokers.py

    def add_topic(self, name: str, partitions: int, replication_factor: int, **config: str) -> None:
        self.topics[name] = _Topic(partitions, replication_factor, dict(config))

    # -- reads --------------------------------------------------------------------------------
    def list_topics(self) -> TopicListing:
        self.requests.append("metadata")
        topics = tuple(
            TopicSpec(n, t.partitions, t.replication_factor)
            for n, t in sorted(self.topics.items())
            if n not in self.listing_errors
        )
        # replicas placed round-robin, as Kafka places a new topic's: replica r of partition p on
        # broker (p + r) mod brokers
        held = dict.fromkeys(range(self.brokers), 0)
        for t in topics:
            for p in range(t.partitions):
                for r in range(min(t.replication_factor, self.brokers)):
                    held[(p + r) % self.brokers] += 1
        return TopicListing(topics, dict(self.listing_errors), held)

    def describe_topics(self, names: Sequence[str]) -> TopicListing:
        self.requests.append("describe_topics")
        wanted = set(names)
        return TopicListing(
            tuple(
                TopicSpec(n, t.partitions, t.replication_factor)
                for n, t in sorted(self.topics.items())
                if n in wanted and n not in self.listing_errors
            ),
            {n: e for n, e in self.listing_errors.items() if n in wanted},
        )

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        self.requests.append("describe_configs")
        return {n: dict(self.topics[n].config) for n in names if n in self.topics}

    # -- writes -------------------------------------------------------------------------------
    def create_topics(self, topics: Sequence[TopicSpec]) -> Outcome:
        self.requests.append("create_topics")
        out: dict[str, str | None] = {}
        for t in topics:
            if t.name in self.fail:
                out[t.name] = self.fail[t.name]
            elif t.name in self.topics:
                out[t.name] = f"TOPIC_ALREADY_EXISTS: Topic '{t.name}' already exists."
            elif not _LEGAL.match(t.name):
                out[t.name] = "INVALID_TOPIC_EXCEPTION: illegal topic name"
            elif t.replication_factor > self.brokers:
                out[t.name] = (
                    f"INVALID_REPLICATION_FACTOR: Unable to replicate the partition {t.replication_factor} "
                    f"time(s): The target replication factor of {t.replication_factor} cannot be reached "
                    f"because only {self.brokers} broker(s) are registered."
                )
            else:
                self.topics[t.name] = _Topic(t.partitions, t.replication_factor, dict(t.config))
                out[t.name] = None
        return out

    def create_partitions(self, counts: Mapping[str, int]) -> Outcome:
        self.requests.append("create_partitions")
        out: dict[str, str | None] = {}
        for name, count in counts.items():
            topic = self.topics.get(name)
            if name in self.fail:
                out[name] = self.fail[name]
            elif topic is None:
                out[name] = "UNKNOWN_TOPIC_OR_PART"
            elif count <= topic.partitions:
                out[name] = f"INVALID_PARTITIONS: Topic currently has {topic.partitions} partitions"
            else:
                topic.partitions = count
                out[name] = None
        return out

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        self.requests.append("incremental_alter_configs")
        out: dict[str, str | None] = {}
        for name, changes in ops.items():
            topic = self.topics.get(name)
            if name in self.fail:
                out[name] = self.fail[name]
            elif topic is None:
                out[name] = "UNKNOWN_TOPIC_OR_PART"
            else:
                for op in changes:
                    if op.value is None:
                        topic.config.pop(op.key, None)
                    else:
                        topic.config[op.key] = op.value
                out[name] = None
        return out

    def delete_topics(self, names: Sequence[str]) -> Outcome:
        self.requests.append("delete_topics")
        out: dict[str, str | None] = {}
        for name in names:
            if name in self.fail:
                out[name] = self.fail[name]
            elif self.topics.pop(name, None) is None:
                out[name] = "UNKNOWN_TOPIC_OR_PART"
            else:
                out[name] = None
        return out
