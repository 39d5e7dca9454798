"""One plan reads every topic's metadata once (kgov/engine/reads.py FROM_OTHER): the replica kind's
every-partition read comes from the answer the topic kind's listing was made from, and is the same
as reading it afresh (old == new); without that answer it is read afresh, as before."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.replicas import KafkaReplicas
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.engine.observe import Ports
from kgov.engine.reads import ReadOnce
from kgov.kinds.base import Backends


@dataclass
class _Error:
    def name(self) -> str:
        return "UNKNOWN_TOPIC_OR_PART"

    def str(self) -> str:
        return "gone"


@dataclass
class _Partition:
    id: int
    replicas: list[int]
    isrs: list[int]
    leader: int


@dataclass
class _Topic:
    partitions: dict[int, _Partition]
    error: _Error | None = None


@dataclass
class _Meta:
    topics: dict[str, _Topic]
    brokers: dict[int, object] = field(default_factory=lambda: {1: object(), 2: object(), 3: object()})


def _meta() -> _Meta:
    return _Meta(
        {
            "a": _Topic({0: _Partition(0, [1, 2], [1, 2], 1), 1: _Partition(1, [2, 3], [3], 3)}),
            "b": _Topic({0: _Partition(0, [3], [], -1)}),  # leaderless
            "gone": _Topic({}, _Error()),  # skipped by both reads
        }
    )


class _Admin:
    """confluent-kafka's AdminClient.list_topics, counted; a new answer object each time."""

    def __init__(self) -> None:
        self.calls = 0

    def list_topics(self, timeout: float) -> _Meta:
        self.calls += 1
        return _meta()


def _cluster() -> tuple[KafkaCluster, _Admin]:
    admin = _Admin()
    cluster = KafkaCluster.__new__(KafkaCluster)  # no client: the fake admin answers
    cluster.requests = Counter()
    cluster._errors = deque(maxlen=1)
    cluster._admin = admin  # type: ignore[assignment]
    cluster._timeout = 5.0
    cluster._listed = None
    return cluster, admin


def test_a_plans_partition_read_comes_from_its_listing_and_equals_a_fresh_read() -> None:
    cluster, admin = _cluster()
    fresh = KafkaReplicas(cluster, None).partition_replicas()  # type: ignore[arg-type]
    assert admin.calls == 1 and set(fresh) == {"a", "b"} and fresh["b"][0].leader is None
    ports = Ports(Backends(kafka=cluster, reassign=KafkaReplicas(cluster, None)))  # type: ignore[arg-type]
    kafka, reassign = ports.get("kafka"), ports.get("reassign")
    assert kafka is not None and reassign is not None
    listing = kafka.list_topics()
    assert reassign.partition_replicas() == fresh
    assert reassign.partition_replicas() == fresh
    assert kafka.list_topics() is listing
    assert admin.calls == 2  # one metadata request for the plan's two kinds, not two


def test_the_replica_kind_asking_first_reads_the_listing_for_both() -> None:
    cluster, admin = _cluster()
    ports = Ports(Backends(kafka=cluster, reassign=KafkaReplicas(cluster, None)))  # type: ignore[arg-type]
    reassign, kafka = ports.get("reassign"), ports.get("kafka")
    assert reassign is not None and kafka is not None
    states = reassign.partition_replicas()
    assert [t.name for t in kafka.list_topics().topics] == ["a", "b"]
    assert admin.calls == 1 and set(states) == {"a", "b"}


def test_a_listing_that_is_not_the_clusters_last_is_read_afresh() -> None:
    cluster, admin = _cluster()
    replicas = KafkaReplicas(cluster, None)  # type: ignore[arg-type]
    old = cluster.list_topics()
    cluster.list_topics()  # e.g. apply's wait for its topics: `old` is no longer the last answer
    assert replicas.partition_replicas_of(old) == replicas.partition_replicas()
    assert admin.calls == 4  # two listings, then a fresh read each


def test_a_replica_port_without_the_derivation_reads_as_before() -> None:
    memory, replicas = MemoryCluster(brokers=3), MemoryReplicas(brokers=3)
    ports = Ports(Backends(kafka=memory, reassign=replicas))
    reassign = ports.get("reassign")
    assert reassign is not None
    assert reassign.partition_replicas() == replicas.partition_replicas()
    assert replicas.requests.count("metadata") == 2  # its own read, through the proxy and directly


class _SlowPort:
    def __init__(self) -> None:
        self.calls = 0

    def list_topics(self) -> Any:
        self.calls += 1
        time.sleep(0.05)
        return object()


def test_two_threads_asking_at_once_read_once() -> None:
    port = _SlowPort()
    proxy = ReadOnce(port)
    answers: list[Any] = []
    threads = [threading.Thread(target=lambda: answers.append(proxy.list_topics())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert port.calls == 1 and len(answers) == 4 and all(a is answers[0] for a in answers)
