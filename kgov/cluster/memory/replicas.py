"""An in-memory twin of the replica port (kgov/cluster/kafka/replica_port.py): the reassignment twin
plus partition metadata and topic/broker configs, with Kafka's rules, for unit tests.

kgov's rights: everything unless a test takes some away (`cluster_rights`, `topic_denied`); the
writes check them as Kafka does (reassignments and leader elections: ALTER on the cluster; broker
configs: ALTER_CONFIGS on the cluster; topic configs: ALTER_CONFIGS on the topic), and, as Kafka,
the cluster's authorized operations are withheld from a principal without DESCRIBE on it.

Given a Kafka twin (`kafka`), the brokers' configs are that twin's (one state, its request counts,
each broker's read in flight at once), and so is the read of topics' explicit configs, as the
adapter reads them through the Kafka port; a plan's proxies then share them with the broker and
topic kinds' reads (kgov/engine/reads.py). Without, this twin keeps its own configs and reads one
broker after another, as the adapter did before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.cluster.kafka.broker_port import BrokerConfigs, dynamic_of
from kgov.cluster.kafka.port import ConfigOp, Outcome, Partition
from kgov.cluster.kafka.reassign_port import PartitionOutcome, Reassignment
from kgov.cluster.kafka.replica_port import PartitionState, Rights
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.reassign import MemoryReassign
from kgov.errors import ClusterError

CLUSTER_OPS = frozenset(
    {"DESCRIBE", "ALTER", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "CLUSTER_ACTION", "CREATE", "IDEMPOTENT_WRITE"}
)
TOPIC_OPS = frozenset(
    {"READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"}
)
DENIED = "CLUSTER_AUTHORIZATION_FAILED: Cluster authorization failed."


class MemoryReplicas(MemoryReassign):
    def __init__(
        self, brokers: int | Mapping[int, str | None] = 3, kafka: MemoryCluster | None = None
    ) -> None:
        super().__init__(brokers)
        self.topic_config: dict[str, dict[str, str]] = {}
        self.broker_config: dict[int, dict[str, str]] = {}
        # given: reads the brokers' configs through the Kafka twin, as the adapter does
        # (kgov/cluster/kafka/adapter/replicas.py): one cluster, one state
        self.kafka = kafka
        if kafka is not None:
            self.broker_config = kafka.broker_overrides
        self.refuse_configs: set[int] = set()  # brokers whose config writes fail (e.g. down)
        self.broker_read_errors: dict[int, str] = {}  # broker -> the error its configs read answers
        self.cluster_rights: set[str] = set(CLUSTER_OPS)  # kgov's operations on the cluster
        self.topic_denied: dict[str, set[str]] = {}  # topic -> operations kgov may not do on it

    @property
    def refuse_describe(self) -> bool:
        """kgov's principal has no DESCRIBE on the cluster."""
        return "DESCRIBE" not in self.cluster_rights

    @refuse_describe.setter
    def refuse_describe(self, refused: bool) -> None:
        if refused:
            self.cluster_rights.discard("DESCRIBE")
        else:
            self.cluster_rights.add("DESCRIBE")

    def rights(self, topics: Sequence[str]) -> Rights:
        self.requests.append("describe_cluster")
        cluster = frozenset(self.cluster_rights) if not self.refuse_describe else frozenset()
        if not topics:
            return Rights(cluster, {})
        self.requests.append("describe_topics")  # one batch: the adapter's hold 1,500 topics
        known = {t for t, _ in self.partitions}
        return Rights(
            cluster,
            {t: TOPIC_OPS - self.topic_denied.get(t, set()) if t in known else frozenset() for t in topics},
        )

    def _allowed(self, operation: str, topic: str | None = None) -> bool:
        if topic is not None:
            return operation not in self.topic_denied.get(topic, set())
        return operation in self.cluster_rights

    def alter_partition_reassignments(
        self, targets: Mapping[Partition, Sequence[int] | None]
    ) -> PartitionOutcome:
        if not self._allowed("ALTER"):
            self.requests.append("alter_partition_reassignments")
            raise ClusterError(f"alter_partition_reassignments failed at memory: {DENIED}")
        return super().alter_partition_reassignments(targets)

    def elect_leaders(self, partitions: Sequence[Partition]) -> PartitionOutcome:
        if not self._allowed("ALTER"):
            self.requests.append("elect_leaders")
            raise ClusterError(f"elect_leaders failed at memory: {DENIED}")
        return super().elect_leaders(partitions)

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
        if self.kafka is not None:  # as the adapter: the Kafka port's read (the plan's proxies share it)
            return self.kafka.topic_configs(names)
        self.requests.append("describe_configs")
        return {
            n: dict(self.topic_config.get(n, {})) for n in names if any(t == n for t, _ in self.partitions)
        }

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        self.requests.append("incremental_alter_configs")
        out: dict[str, str | None] = {}
        for name, changes in ops.items():
            if not self._allowed("ALTER_CONFIGS", name):
                out[name] = "TOPIC_AUTHORIZATION_FAILED: Topic authorization failed."
                continue
            _write(self.topic_config.setdefault(name, {}), changes)
            out[name] = None
        return out

    def broker_configs(self, brokers: Sequence[int]) -> Mapping[int, Mapping[str, str]]:
        if self.kafka is not None:
            return dynamic_of(self.kafka.broker_configs_of(brokers), brokers)
        out: dict[int, Mapping[str, str]] = {}
        for b in brokers:  # one broker after another, as the adapter read them before issue 23
            self.requests.append("describe_configs")
            if b in self.broker_read_errors:
                raise ClusterError(f"cannot read the configs of broker {b}: {self.broker_read_errors[b]}")
            out[b] = dict(self.broker_config.get(b, {}))
        return out

    def broker_configs_from(
        self, read: BrokerConfigs, brokers: Sequence[int]
    ) -> Mapping[int, Mapping[str, str]]:
        return dynamic_of(read, brokers)

    def alter_broker_configs(self, ops: Mapping[int, Sequence[ConfigOp]]) -> Outcome:
        out: dict[str, str | None] = {}
        for broker, changes in ops.items():
            self.requests.append("incremental_alter_configs")
            if broker in self.refuse_configs or broker in self.down:
                out[str(broker)] = "_TIMED_OUT: the broker did not answer"
                continue
            if not self._allowed("ALTER_CONFIGS"):
                out[str(broker)] = DENIED
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
