"""The replica port (kgov/cluster/kafka/replica_port.py) over a real cluster: the reassignment calls
through kafka-python (KafkaReassign), metadata and configs through confluent-kafka (KafkaCluster),
both from the environment's one set of connection settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import ConfigResource, ResourceType

from kgov.cluster.interrupt import call_interruptibly
from kgov.cluster.kafka.adapter.admin import KafkaCluster, _entry
from kgov.cluster.kafka.adapter.base import error_text
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.adapter.transactions import open_transactions
from kgov.cluster.kafka.broker_port import BrokerConfigs, dynamic_of
from kgov.cluster.kafka.port import ConfigOp, Outcome, Partition
from kgov.cluster.kafka.reassign_port import Broker, LogDirSizes, PartitionOutcome, Reassignment
from kgov.cluster.kafka.replica_port import PartitionState, Rights
from kgov.errors import ClusterError
from kgov.state import TopicListing

_MIN_ISR = "min.insync.replicas"


def _states(meta: Any) -> dict[str, dict[int, PartitionState]]:
    """Every partition's replicas, in-sync replicas and leader, of a metadata answer's topics."""
    out: dict[str, dict[int, PartitionState]] = {}
    for name, topic in meta.topics.items():
        if topic.error is not None:
            continue
        out[name] = {
            p.id: PartitionState(tuple(p.replicas), tuple(p.isrs), p.leader if p.leader >= 0 else None)
            for p in topic.partitions.values()
        }
    return out


class KafkaReplicas:
    def __init__(self, kafka: KafkaCluster, reassign: KafkaReassign) -> None:
        self.kafka = kafka
        self.reassign = reassign

    # -- the reassignment port (kafka-python) -------------------------------------------------
    def describe_brokers(self) -> Sequence[Broker]:
        return self.reassign.describe_brokers()

    def list_partition_reassignments(
        self, partitions: Sequence[Partition] | None = None
    ) -> Sequence[Reassignment]:
        return self.reassign.list_partition_reassignments(partitions)

    def alter_partition_reassignments(
        self, targets: Mapping[Partition, Sequence[int] | None]
    ) -> PartitionOutcome:
        return self.reassign.alter_partition_reassignments(targets)

    def describe_log_dirs(
        self, partitions: Sequence[Partition], brokers: Sequence[int] | None = None
    ) -> LogDirSizes:
        return self.reassign.describe_log_dirs(partitions, brokers)

    def elect_leaders(self, partitions: Sequence[Partition]) -> PartitionOutcome:
        return self.reassign.elect_leaders(partitions)

    def open_transactions(self) -> Mapping[str, str]:
        return open_transactions(self.reassign)  # kafka-python's ListTransactions

    def close(self) -> None:
        self.reassign.close()

    # -- metadata and configs (confluent-kafka) -----------------------------------------------
    def partition_replicas(self) -> Mapping[str, Mapping[int, PartitionState]]:
        cluster = self.kafka
        cluster.requests["metadata"] += 1
        try:
            meta = call_interruptibly(cluster._admin.list_topics, timeout=cluster._timeout)
        except KafkaException as exc:
            raise ClusterError(
                f"cannot read the partitions' replicas at {cluster.settings.bootstrap}: {error_text(exc)}"
            ) from None
        return _states(meta)

    def partition_replicas_of(self, listing: TopicListing) -> Mapping[str, Mapping[int, PartitionState]]:
        """`partition_replicas` from the metadata answer the Kafka port's `listing` was made from (no
        request); read afresh when `listing` is not that port's last (kgov/engine/reads.py)."""
        meta = self.kafka.metadata_of(listing)
        return self.partition_replicas() if meta is None else _states(meta)

    def rights(self, topics: Sequence[str]) -> Rights:
        cluster = self.kafka
        try:  # not KafkaCluster.cluster_operations: that one is cached, this is read afresh
            found = cluster._one(
                "describe_cluster",
                lambda: cluster._admin.describe_cluster(
                    include_authorized_operations=True, request_timeout=cluster._timeout
                ),
            )
        except KafkaException as exc:
            raise ClusterError(f"cannot read kgov's rights on the cluster: {error_text(exc)}") from None
        # None when Kafka withholds them (no DESCRIBE on the cluster): nothing known to be allowed
        ops = frozenset(str(getattr(op, "name", op)).upper() for op in found.authorized_operations or [])
        access = cluster.topic_access(sorted(set(topics))) if topics else {}
        return Rights(ops, {name: a.operations for name, a in access.items()})

    def topic_min_insync(self, names: Sequence[str]) -> Mapping[str, int]:
        cluster = self.kafka
        results = cluster._batched(
            "describe_configs",
            sorted(set(names)),
            lambda chunk: cluster._admin.describe_configs(
                [ConfigResource(ResourceType.TOPIC, n) for n in chunk], request_timeout=cluster._timeout
            ),
            keep=lambda entries: entries[_MIN_ISR].value if _MIN_ISR in entries else None,
        )
        out: dict[str, int] = {}
        for name, (value, exc) in results.items():
            if exc is not None:
                raise ClusterError(f"cannot read the configs of topic {name}: {error_text(exc)}")
            out[name] = int(value) if value is not None else 1
        return out

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        return self.kafka.topic_configs(names)

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        return self.kafka.alter_topic_configs(ops)

    def broker_configs(self, brokers: Sequence[int]) -> Mapping[int, Mapping[str, str]]:
        # the Kafka port's per-broker read: every broker's request in flight at once
        return dynamic_of(self.kafka.broker_configs_of(brokers), brokers)

    def broker_configs_from(
        self, read: BrokerConfigs, brokers: Sequence[int]
    ) -> Mapping[int, Mapping[str, str]]:
        """`broker_configs` from the Kafka port's answer (no request): in a plan, the broker kind's
        read and this one share each broker's answer (kgov/engine/reads.py SHARED_AS)."""
        return dynamic_of(read, brokers)

    def alter_broker_configs(self, ops: Mapping[int, Sequence[ConfigOp]]) -> Outcome:
        cluster = self.kafka
        out: dict[str, str | None] = {}
        for broker, changes in sorted(ops.items()):  # confluent-kafka: one BROKER resource per call
            entries = [_entry(o) for o in changes]

            def send(chunk: Sequence[str], entries: list[Any] = entries) -> Mapping[Any, Any]:
                resources = [
                    ConfigResource(ResourceType.BROKER, b, incremental_configs=entries) for b in chunk
                ]
                return cluster._admin.incremental_alter_configs(
                    resources, request_timeout=cluster._timeout
                )

            answer = cluster._batched("incremental_alter_configs", [str(broker)], send)
            for name, (_, exc) in answer.items():
                out[name] = None if exc is None else error_text(exc)
        return out
