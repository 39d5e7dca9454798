"""A port proxy for one plan's reads: the argument-less whole-cluster reads are made once.

Kinds stay decoupled (each asks its port for what it needs), yet a read two kinds need is sent
once per plan: the audit's unmanaged topics come from the listing the topic kind already made (one
Metadata request, not two), and the ACL and user kinds share one DescribeCluster for kgov's rights.
The proxy lives as long as one plan or one audit, so apply's re-reads (waiting for changes to show)
always reach the cluster.

A read of one backend may be answered from another backend's read of the same plan (FROM_OTHER):
the replica kind's every-partition read comes from the metadata answer of the topic kind's listing
when both ports talk to one cluster (one Metadata request of every topic, not two: at 80,000 topics
the second took seconds). The port derives it (`partition_replicas_of`), or reads afresh when the
listing is not its cluster's. The topics' explicit configs are answered by name (BY_NAME): a call
reads only the names not read yet in this plan, in one batched call; the replica kind (its leftover
throttle check) and the topic kind ask for the same catalog topics, so one read answers both, and
the replica port's call goes to the Kafka port's proxy when it reads through that very port
(SHARED). The proxies' reads are locked: the reassign backend's kinds run in a
thread of their own (overlap.py), and whichever asks first reads for both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

ONCE = frozenset(
    {
        "list_topics",
        "describe_acls",
        "describe_scram",
        "cluster_operations",
        "subjects",
        "list_groups",  # the deletes' evidence: topics and principals share one listing
        "open_transactions",
    }
)
# Reads answered once per argument list: the consumer groups' offsets that the topics' and the
# principals' delete evidence both read (kgov/kinds/topics/evidence.py, kgov/kinds/principal_evidence.py).
ONCE_PER_ARGS = frozenset({"group_offsets"})
# read -> (the other backend, its ONCE read, this port's method deriving the read from that answer)
FROM_OTHER = {"partition_replicas": ("kafka", "list_topics", "partition_replicas_of")}
# Reads that take a list of names and answer a mapping by name: each name is read once per plan.
BY_NAME = frozenset({"topic_configs"})
# read -> the backend whose proxy answers it, when this port reads through that backend's port
# (its `kafka` attribute is that port: kgov/cluster/kafka/adapter/replicas.py)
SHARED = {"topic_configs": "kafka"}


class ReadOnce:
    """Answers the reads in ONCE from their first answer; everything else goes to the port."""

    def __init__(self, port: Any, other: Callable[[str], ReadOnce | None] | None = None) -> None:
        self._port = port
        self._other = other  # another backend's proxy of the same plan, by backend name
        self._answers: dict[Any, Any] = {}  # by name, or by (name, *args)
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._port, name)
        if name in FROM_OTHER and (derived := self._derived(name)) is not None:
            return derived
        if name in SHARED and (shared := self._shared(name)) is not None:
            return shared
        if name in BY_NAME:
            return self._by_name(name, attr)
        if name in ONCE_PER_ARGS:
            return self._per_args(name, attr)
        if name not in ONCE:
            return attr
        return lambda: self._once(name, attr)

    def _once(self, key: Any, read: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._answers:
                self._answers[key] = read()
            return self._answers[key]

    def _derived(self, name: str) -> Callable[[], Any] | None:
        backend, source, method = FROM_OTHER[name]
        derive = getattr(self._port, method, None)
        other = self._other(backend) if self._other is not None else None
        if derive is None or other is None:
            return None
        return lambda: self._once(name, lambda: derive(getattr(other, source)()))

    def _shared(self, name: str) -> Any:
        other = self._other(SHARED[name]) if self._other is not None else None
        if other is None or other is self or getattr(self._port, "kafka", None) is not other._port:
            return None
        return getattr(other, name)

    def _by_name(self, name: str, attr: Any) -> Callable[[Sequence[str]], dict[str, Any]]:
        def read(names: Sequence[str]) -> dict[str, Any]:
            with self._lock:
                asked: set[str] = self._answers.setdefault((name, "asked"), set())
                answers: dict[str, Any] = self._answers.setdefault(name, {})
                missing = list(dict.fromkeys(n for n in names if n not in asked))
                if missing or not names:  # an empty ask goes to the port as before
                    answers.update(attr(missing))  # raises before anything is remembered
                    asked.update(missing)
                return {n: answers[n] for n in names if n in answers}

        return read

    def _per_args(self, name: str, attr: Any) -> Any:
        def once(*args: Any) -> Any:
            key = (name, *(tuple(a) if isinstance(a, list | tuple) else a for a in args))
            return self._once(key, lambda: attr(*args))

        return once
