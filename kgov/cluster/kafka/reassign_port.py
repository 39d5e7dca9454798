"""The narrow port for the admin calls that confluent-kafka lacks: partition reassignment, log-dir
sizes, preferred leader election (what a replication-factor change needs).

confluent-kafka (and librdkafka under it) has no AlterPartitionReassignments,
ListPartitionReassignments, DescribeLogDirs nor ElectLeaders; kafka-python 3.x has all four.
kgov/cluster/kafka/adapter/reassign.py implements this port with kafka-python, from the same
connection settings as the confluent-kafka adapter; kgov/cluster/memory/reassign.py in memory.
Everything else, the throttle's config writes included (incremental_alter_configs on BROKER and
TOPIC resources), stays on the confluent-kafka adapter.

Every method is a fixed number of requests whatever the number of partitions: one to the
controller, or one per broker (describe_log_dirs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kgov.cluster.kafka.port import Partition

# Per-partition outcome of a batched write: None on success, else Kafka's error ("NAME: message").
PartitionOutcome = Mapping[Partition, str | None]


@dataclass(frozen=True, order=True)
class Broker:
    id: int
    rack: str | None  # broker.rack, None when the broker has none


@dataclass(frozen=True, order=True)
class Reassignment:
    """A reassignment in progress: `replicas` is the whole set while it runs (target and leaving),
    `adding` the replicas still catching up, `removing` those that leave when it completes."""

    topic: str
    partition: int
    replicas: tuple[int, ...]
    adding: tuple[int, ...] = ()
    removing: tuple[int, ...] = ()

    @property
    def target(self) -> tuple[int, ...]:
        """The replica list the partition will have when the reassignment completes."""
        return tuple(b for b in self.replicas if b not in self.removing)


@dataclass(frozen=True)
class LogDirSizes:
    """Bytes of each partition's replica on each broker (a replica still being copied counts what it
    holds so far: the progress of a reassignment is its adding replicas' bytes against the leader's),
    Kafka's offset lag of each replica (meaningful for a move between a broker's disks only: a
    follower catching up shows 0 on Kafka 4.3), and the brokers that could not answer (broker id ->
    error). A partition no broker holds is absent."""

    sizes: Mapping[Partition, Mapping[int, int]]
    lag: Mapping[Partition, Mapping[int, int]] = field(default_factory=dict)
    errors: Mapping[int, str] = field(default_factory=dict)

    def total(self, partition: Partition) -> int:
        """The partition's largest replica: the bytes a new replica has to copy."""
        return max(self.sizes.get(partition, {}).values(), default=0)


class ReassignPort(Protocol):
    def describe_brokers(self) -> Sequence[Broker]:
        """The live (unfenced) brokers with their racks, by id (one DescribeCluster request)."""
        ...

    def list_partition_reassignments(
        self, partitions: Sequence[Partition] | None = None
    ) -> Sequence[Reassignment]:
        """The reassignments in progress, of the given partitions or (None) of the whole cluster,
        sorted by topic and partition (one ListPartitionReassignments request)."""
        ...

    def alter_partition_reassignments(
        self, targets: Mapping[Partition, Sequence[int] | None]
    ) -> PartitionOutcome:
        """Start (target replica list) or cancel (None) the reassignment of each partition, in one
        AlterPartitionReassignments request. Each partition gets an outcome."""
        ...

    def describe_log_dirs(
        self, partitions: Sequence[Partition], brokers: Sequence[int] | None = None
    ) -> LogDirSizes:
        """The size of each replica of the partitions (one DescribeLogDirs request per broker).
        `brokers`: the ones to ask, when the caller has just read them; None: read them first."""
        ...

    def elect_leaders(self, partitions: Sequence[Partition]) -> PartitionOutcome:
        """A preferred leader election for the partitions (one ElectLeaders request). A partition whose
        leader already is its preferred replica succeeds (None)."""
        ...

    def close(self) -> None:
        """Close the connections (the adapter's network thread ends)."""
        ...
