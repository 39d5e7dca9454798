"""An in-memory twin of the replica port (kgov/cluster/kafka/replica_port.py): the reassignment twin
plus partition metadata and topic/broker configs, with Kafka's rules, for unit tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.cluster.kafka.port import ConfigOp, Outcome, Partition
from kgov.cluster.kafka.reassign_port import Reassignment
from kgov.cluster.kafka.replica_port import PartitionState
from kgov.cluster.memory.reassign import MemoryReassign
from kgov.errors import ClusterError


class MemoryReplicas(MemoryReassign):
    def __init__(self, brokers: int | Mapping[int, str | None] = 3) -> None:
        super().__init__(brokers)
        self.topic_config: dict[str, dict[str, str]] = {}
        self.broker_config: dict[int, dict[str, str]] = {}
        self.refuse_configs: set[int] = set()  # brokers whose config writes fail (e.g. down)
        self.refuse_describe = False  # kgov's principal has no DESCRIBE on the cluster

    def list_partition_reassignments(
        self, partitions: Sequence[Partition] | None = None
    ) -> Sequence[Reassignment]:
        if self.refuse_describe:
            self.requests.append("list_partition_reassignments")
            raise ClusterError(
                "list_partition_reassignments failed at memory: CLUSTER_AUTHORIZATION_FAILED: "
                "needs DESCRIBE permission"
            )
        return super().list_partition_reassignments(partitions)

    def partition_replicas(self) -> Mapping[str, Mapping[int, PartitionState]]:
        self.requests.append("metadata")
        out: dict[str, dict[int, PartitionState]] = {}
        for (topic, index), p in sorted(self.partitions.items()):
            # as Kafka: while a partition moves, its replicas are the target then the leaving ones
            listed = (
                p.replicas if p.target is None else [*p.target, *(b for b in p.replicas if b not in p.target)]
            )
            isr = tuple(b for b in p.replicas if b not in self.down)
            # as Kafka's controller: a stopped leader's partition is led by a live in-sync replica
            # (and stays so after the broker is back, until an election), else by none
            if p.leader in self.down and isr:
                p.leader = isr[0]
            leader = p.leader if p.leader not in self.down else None
            out.setdefault(topic, {})[index] = PartitionState(tuple(listed), isr, leader)
        return out

    def topic_min_insync(self, names: Sequence[str]) -> Mapping[str, int]:
        self.requests.append("describe_configs")
        return {n: int(self.topic_config.get(n, {}).get("min.insync.replicas", "1")) for n in names}

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        self.requests.append("describe_configs")
        return {
            n: dict(self.topic_config.get(n, {})) for n in names if any(t == n for t, _ in self.partitions)
        }

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        self.requests.append("incremental_alter_configs")
        for name, changes in ops.items():
            _write(self.topic_config.setdefault(name, {}), changes)
        return dict.fromkeys(ops)

    def broker_configs(self, brokers: Sequence[int]) -> Mapping[int, Mapping[str, str]]:
        out: dict[int, Mapping[str, str]] = {}
        for b in brokers:
            self.requests.append("describe_configs")
            out[b] = dict(self.broker_config.get(b, {}))
        return out

    def alter_broker_configs(self, ops: Mapping[int, Sequence[ConfigOp]]) -> Outcome:
        out: dict[str, str | None] = {}
        for broker, changes in ops.items():
            self.requests.append("incremental_alter_configs")
            if broker in self.refuse_configs or broker in self.down:
                out[str(broker)] = "_TIMED_OUT: the broker did not answer"
                continue
            _write(self.broker_config.setdefault(broker, {}), changes)
            out[str(broker)] = None
        return out


def _write(configs: dict[str, str], changes: Sequence[ConfigOp]) -> None:
    for op in changes:
        if op.value is None:
            configs.pop(op.key, None)
        else:
            configs[op.key] = op.value
