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

The brokers' configs are one read made of parts (PARTS): the broker kind reads them whole (the live
brokers, the cluster default and every broker), the replica kind's leftover-rate check only the
brokers' parts (`broker_configs_of`, one DescribeConfigs per broker, no default). Each broker's part
is read once per plan, its error too: a part read asks only the brokers not answered yet, and the
whole read is given the parts already read (`known`) and asks only for the rest; its answer
answers the later part reads. The replica port's `broker_configs` is made from the Kafka port's
proxy's part read (SHARED_AS) when it reads through that very port, so in a plan of both kinds one
DescribeConfigs per broker answers both, whichever asks first; when the broker kind does not read,
the replica kind's read is its parts alone, as before.
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
# read -> (the backend whose proxy answers, its read taking the same arguments, this port's method
# making this read's answer from that one's), on SHARED's condition (this port reads through that one)
SHARED_AS = {"broker_configs": ("kafka", "broker_configs_of", "broker_configs_from")}
# A whole read -> its part read, on a port that has both; their answers have `answers(key)`,
# `only(keys)` and `merged(later)` (kgov/cluster/kafka/broker_port.py BrokerConfigs), the whole read
# takes the parts already read (`known`)
PARTS = {"broker_configs": "broker_configs_of"}
PART_OF = {part: whole for whole, part in PARTS.items()}


class ReadOnce:
    """Answers the reads in ONCE from their first answer; everything else goes to the port."""

    def __init__(self, port: Any, other: Callable[[str], ReadOnce | None] | None = None) -> None:
        self._port = port
        self._other = other  # another backend's proxy of the same plan, by backend name
        self._answers: dict[Any, Any] = {}  # by name, or by (name, *args)
        self._lock = threading.RLock()
        self._parts_lock = threading.Lock()  # apart: a broker read does not hold up the listings

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._port, name)
        if name in FROM_OTHER and (derived := self._derived(name)) is not None:
            return derived
        if name in SHARED and (shared := self._shared(name)) is not None:
            return shared
        if name in SHARED_AS and (made := self._shared_as(name)) is not None:
            return made
        if name in PARTS and hasattr(self._port, PARTS[name]):
            return lambda: self._whole(name, attr)
        if name in PART_OF:
            return self._part(PART_OF[name], attr)
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
        other = self._through(SHARED[name])
        return None if other is None else getattr(other, name)

    def _through(self, backend: str) -> ReadOnce | None:
        """`backend`'s proxy, when this port reads through that backend's port (its `kafka`)."""
        other = self._other(backend) if self._other is not None else None
        if other is None or other is self or getattr(self._port, "kafka", None) is not other._port:
            return None
        return other

    def _shared_as(self, name: str) -> Callable[..., Any] | None:
        backend, source, method = SHARED_AS[name]
        make = getattr(self._port, method, None)
        other = self._through(backend)
        if make is None or other is None:
            return None
        read = getattr(other, source)
        return lambda *args: make(read(*args), *args)

    def _whole(self, name: str, attr: Callable[..., Any]) -> Any:
        with self._parts_lock:
            if name not in self._answers:
                known = self._answers.get((name, "parts"))
                whole = attr(known) if known is not None else attr()
                self._answers[name] = whole
                self._answers[(name, "parts")] = whole if known is None else known.merged(whole)
            return self._answers[name]

    def _part(self, whole: str, attr: Callable[[Sequence[Any]], Any]) -> Callable[[Sequence[Any]], Any]:
        def read(keys: Sequence[Any]) -> Any:
            with self._parts_lock:
                have = self._answers.get((whole, "parts"))
                missing = [k for k in dict.fromkeys(keys) if have is None or not have.answers(k)]
                if missing or have is None:
                    got = attr(missing)
                    have = got if have is None else have.merged(got)
                    self._answers[(whole, "parts")] = have
                return have.only(keys)

        return read

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
