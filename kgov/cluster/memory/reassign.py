"""An in-memory twin of the reassignment port (kgov/cluster/kafka/reassign_port.py), with Kafka's
rules, for unit tests of what plans and applies replication-factor changes.

A partition is its replica list (the first is the preferred leader), its leader and its size; a
reassignment runs until the test calls `progress` (bytes copied) or `complete`, as a cluster copies
data meanwhile. Kafka's answers, kept here: a reassignment's `replicas` while it runs are the target
followed by the leaving replicas; a new target for a partition already moving replaces the old one;
cancelling a partition that is not moving is NO_REASSIGNMENT_IN_PROGRESS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kgov.cluster.kafka.port import Partition
from kgov.cluster.kafka.reassign_port import Broker, LogDirSizes, PartitionOutcome, Reassignment
from kgov.errors import ClusterError

OPEN_STATES = frozenset({"Ongoing", "PrepareCommit", "PrepareAbort"})

UNKNOWN = (
    "UNKNOWN_TOPIC_OR_PARTITION: This request is for a topic or partition that does not exist on this broker."
)
NOT_MOVING = "NO_REASSIGNMENT_IN_PROGRESS: No partition reassignment is in progress."


@dataclass
class _Partition:
    replicas: list[int]
    leader: int
    size: int = 0  # bytes of the log (each complete replica holds all of it)
    target: list[int] | None = None  # while a reassignment runs
    copied: dict[int, int] = field(default_factory=dict)  # adding broker -> bytes it holds so far


class MemoryReassign:
    def __init__(self, brokers: int | Mapping[int, str | None] = 3) -> None:
        self.brokers: dict[int, str | None] = (
            dict.fromkeys(range(1, brokers + 1)) if isinstance(brokers, int) else dict(brokers)
        )
        self.partitions: dict[Partition, _Partition] = {}
        self.down: set[int] = set()  # brokers that do not answer (describe_log_dirs errors)
        self.requests: list[str] = []  # one entry per request, to check batching
        self.closed = False
        self.transactions: dict[str, str] = {}  # transactional id -> state (Ongoing, CompleteCommit, ...)
        self.transactions_error: str | None = None

    # -- test set-up and the cluster's own progress ---------------------------------------------
    def add_topic(self, name: str, assignment: Sequence[Sequence[int]], size: int = 0) -> None:
        """A topic whose partition i has the replica list assignment[i], led by its first replica."""
        for index, replicas in enumerate(assignment):
            self.partitions[(name, index)] = _Partition(list(replicas), replicas[0], size)

    def progress(self, partition: Partition, copied: int) -> None:
        """Each adding replica of the partition now holds `copied` bytes (at most the whole log)."""
        p = self.partitions[partition]
        for broker in self._adding(p):
            p.copied[broker] = min(copied, p.size)

    def complete(self, partition: Partition | None = None) -> None:
        """The reassignment of the partition (of every partition: None) is done, as Kafka ends one:
        the target becomes the replica list, the leader moves only if it left."""
        for key, p in self.partitions.items():
            if p.target is not None and partition in (None, key):
                p.replicas, p.target, p.copied = p.target, None, {}
                if p.leader not in p.replicas:
                    p.leader = p.replicas[0]

    def replicas(self, partition: Partition) -> list[int]:
        return list(self.partitions[partition].replicas)

    def leader(self, partition: Partition) -> int:
        return self.partitions[partition].leader

    @staticmethod
    def _adding(p: _Partition) -> list[int]:
        return [b for b in p.target or () if b not in p.replicas]

    # -- the port ------------------------------------------------------------------------------
    def open_transactions(self) -> Mapping[str, str]:
        """`transactions` (id -> state) in an open state; one request per live broker, as Kafka's
        ListTransactions goes to each. `transactions_error`: the refusal a test sets."""
        self.requests.extend("list_transactions" for b in self.brokers if b not in self.down)
        if self.transactions_error is not None:
            raise ClusterError(self.transactions_error)
        return {t: s for t, s in self.transactions.items() if s in OPEN_STATES}

    def describe_brokers(self) -> Sequence[Broker]:
        self.requests.append("describe_cluster")
        return sorted(Broker(b, rack) for b, rack in self.brokers.items() if b not in self.down)

    def list_partition_reassignments(
        self, partitions: Sequence[Partition] | None = None
    ) -> Sequence[Reassignment]:
        self.requests.append("list_partition_reassignments")
        wanted = None if partitions is None else set(partitions)
        found = []
        for key, p in sorted(self.partitions.items()):
            if p.target is None or (wanted is not None and key not in wanted):
                continue
            removing = tuple(b for b in p.replicas if b not in p.target)
            found.append(
                Reassignment(key[0], key[1], (*p.target, *removing), tuple(self._adding(p)), removing)
            )
        return found

    def alter_partition_reassignments(
        self, targets: Mapping[Partition, Sequence[int] | None]
    ) -> PartitionOutcome:
        self.requests.append("alter_partition_reassignments")
        out: dict[Partition, str | None] = {}
        for key, target in targets.items():
            p = self.partitions.get(key)
            if p is None:
                out[key] = UNKNOWN
            elif target is None:
                out[key] = NOT_MOVING if p.target is None else None
                p.target, p.copied = None, {}
            elif len(set(target)) != len(target) or not target:
                out[key] = "INVALID_REPLICA_ASSIGNMENT: The replica assignment is invalid."
            elif unknown := [b for b in target if b not in self.brokers]:
                out[key] = (
                    f"INVALID_REPLICA_ASSIGNMENT: Replica assignment has brokers that are not alive: "
                    f"{unknown}"
                )
            else:
                p.target, p.copied = list(target), {}
                if p.target == p.replicas:
                    p.target = None  # nothing to move: Kafka ends it at once
                out[key] = None
        return out

    def describe_log_dirs(
        self, partitions: Sequence[Partition], brokers: Sequence[int] | None = None
    ) -> LogDirSizes:
        wanted = set(partitions)
        if not wanted:
            return LogDirSizes({})
        if brokers is None:
            self.requests.append("describe_cluster")
        sizes: dict[Partition, dict[int, int]] = {}
        lag: dict[Partition, dict[int, int]] = {}
        errors: dict[int, str] = {}
        for broker in sorted(self.brokers if brokers is None else set(brokers) & set(self.brokers)):
            if broker in self.down:
                continue  # fenced: not listed by describe_cluster, not asked
            self.requests.append("describe_log_dirs")
            for key in sorted(wanted & set(self.partitions)):
                p = self.partitions[key]
                if broker in p.replicas:
                    sizes.setdefault(key, {})[broker] = p.size
                    lag.setdefault(key, {})[broker] = 0
                elif broker in self._adding(p):
                    sizes.setdefault(key, {})[broker] = p.copied.get(broker, 0)
                    lag.setdefault(key, {})[broker] = 1 if p.copied.get(broker, 0) < p.size else 0
        return LogDirSizes(sizes, lag, errors)

    def elect_leaders(self, partitions: Sequence[Partition]) -> PartitionOutcome:
        self.requests.append("elect_leaders")
        out: dict[Partition, str | None] = {}
        for key in partitions:
            p = self.partitions.get(key)
            if p is None:
                out[key] = UNKNOWN
            elif p.replicas[0] in self.down:
                out[key] = "PREFERRED_LEADER_NOT_AVAILABLE: The preferred leader was not available."
            else:
                p.leader = p.replicas[0]
                out[key] = None
        return out

    def close(self) -> None:
        self.closed = True
