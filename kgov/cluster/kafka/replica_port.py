"""The port of the replica kind (replication-factor changes): the reassignment port plus the few
reads and writes a throttled reassignment needs from the confluent-kafka side.

kgov/cluster/kafka/adapter/replicas.py joins the two adapters (kafka-python for the reassignment
calls, confluent-kafka for metadata and configs) behind this one port, so the kind has one backend;
kgov/cluster/memory/replicas.py is its in-memory twin.

Request counts: `partition_replicas` is one metadata request for the whole cluster (placement
balances over every topic); `topic_min_insync` is describe_configs in fixed-size batches;
`rights` is one DescribeCluster and DescribeTopics in fixed-size batches;
confluent-kafka takes one BROKER resource per config call, so the broker calls are one per live
broker, whatever the number of topics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kgov.cluster.kafka.port import ConfigOp, Outcome
from kgov.cluster.kafka.reassign_port import ReassignPort

# The throttle Kafka's reassignment tool sets, and kgov too: rates on the brokers (bytes/s)...
BROKER_THROTTLES = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")
# ...and, per topic, which replicas the rates apply to ("partition:broker,...").
TOPIC_THROTTLES = ("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")


@dataclass(frozen=True)
class PartitionState:
    replicas: tuple[int, ...]  # the preferred leader first
    isr: tuple[int, ...] = ()
    leader: int | None = None


@dataclass(frozen=True)
class Rights:
    """What kgov's principal may do, as Kafka answers it (authorized operations, upper case:
    "ALTER", "ALTER_CONFIGS", ...): on the cluster resource, and on each named topic (none on a
    topic it may not describe)."""

    cluster: frozenset[str]
    topics: Mapping[str, frozenset[str]]


class ReplicaPort(ReassignPort, Protocol):
    def rights(self, topics: Sequence[str]) -> Rights:
        """kgov's own authorized operations on the cluster and on the named topics (DescribeCluster
        and DescribeTopics with include_authorized_operations; read afresh, never cached: apply
        checks them right before it changes anything)."""
        ...

    def open_transactions(self) -> Mapping[str, str]:
        """The transactional ids with a transaction open (Ongoing, PrepareCommit, PrepareAbort) and
        their state: one ListTransactions request per broker (each coordinates a slice of
        __transaction_state). Kafka lists only the ids kgov's principal may DESCRIBE."""
        ...

    def partition_replicas(self) -> Mapping[str, Mapping[int, PartitionState]]:
        """Every topic's partitions with their replicas, in-sync replicas and leader (one metadata
        request; topics the broker would not describe are left out)."""
        ...

    def topic_min_insync(self, names: Sequence[str]) -> Mapping[str, int]:
        """The effective min.insync.replicas of the named topics (describe_configs, batched)."""
        ...

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        """Explicit configs of the named topics (as the Kafka port gives them)."""
        ...

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        """Incremental config writes on topics, batched."""
        ...

    def broker_configs(self, brokers: Sequence[int]) -> Mapping[int, Mapping[str, str]]:
        """The dynamic (per-broker) configs of each broker (one request per broker)."""
        ...

    def alter_broker_configs(self, ops: Mapping[int, Sequence[ConfigOp]]) -> Outcome:
        """Incremental config writes on brokers, one request per broker; outcome by broker id."""
        ...
