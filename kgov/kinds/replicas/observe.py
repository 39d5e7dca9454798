"""Read what a replication-factor change depends on, in a fixed number of requests whatever the
number of topics: the live brokers and their racks (one request), every partition's replicas (one
metadata request: placement balances over the whole cluster), the reassignments in progress (one
request), and only for the topics whose factor changes, kgov's rights on the cluster and on them
(one DescribeCluster, DescribeTopics batched: kgov/kinds/replicas/rights.py; also on the topics
and the cluster whose throttle left behind the plan removes, only when there is one), their
min.insync.replicas (batched) and the size of their partitions (one DescribeLogDirs request per
broker). The scope topics' explicit configs (batched) show a replication throttle left on them
(kgov/kinds/replicas/leftover.py): the topic kind reads the same configs in the same plan, and the
plan's ReadOnce ports answer both from one read (kgov/engine/reads.py). When no partition moves
anywhere, the brokers' dynamic configs (one request per live broker, all in flight at once) show a
throttle rate left; when the broker kind reads the brokers' configs in the same plan, the ports
answer both kinds from one request per broker, whichever kind asks first (reads.py PARTS)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kgov.cluster.kafka.port import Partition
from kgov.cluster.kafka.reassign_port import Broker, Reassignment
from kgov.cluster.kafka.replica_port import (
    BROKER_THROTTLES,
    TOPIC_THROTTLES,
    PartitionState,
    ReplicaPort,
    Rights,
)
from kgov.errors import ClusterError
from kgov.kinds.replicas.rights import lacking, unthrottle_lacking
from kgov.plan.model import JSON

REFUSED = "CLUSTER_AUTHORIZATION_FAILED"


@dataclass(frozen=True)
class ObservedReplicas:
    brokers: tuple[Broker, ...]  # the live ones
    partitions: Mapping[str, Mapping[int, PartitionState]]  # every topic of the cluster
    moving: Mapping[Partition, Reassignment] = field(default_factory=dict)  # in progress, any topic
    min_insync: Mapping[str, int] = field(default_factory=dict)  # the changing topics only
    sizes: Mapping[Partition, int] = field(default_factory=dict)  # the changing topics' partitions
    copied: Mapping[Partition, int] = field(default_factory=dict)  # moving: bytes the adding replicas hold
    scope: tuple[str, ...] = ()  # the topics the plan is about
    refused: bool = False  # kgov may not DESCRIBE the cluster: reassignments and sizes unread
    # kgov's, on the cluster, the watched topics and those with a throttle left; None: not read
    rights: Rights | None = None
    # scope topics carrying a replication throttle: topic -> {TOPIC_THROTTLES key: value}
    throttled: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # with nothing moving: brokers carrying a throttle rate, broker id -> {BROKER_THROTTLES key: value}
    rates: Mapping[int, Mapping[str, str]] = field(default_factory=dict)

    def to_json(self) -> JSON:
        """The state a plan depends on, for the fingerprint: brokers, the scope's replica lists and
        reassignments. Sizes are left out (they grow while producers write: a saved plan would be
        stale at once); the bytes to move are in the entries' notes. The brokers count only when a
        factor changes or a scope topic is moving: a plan of no such change does not depend on them
        (a broker that dies after it does not make it stale). A right kgov lacks counts (granted
        after the plan, the plan is stale); the rights it has do not (an unrelated grant is not a
        change of this plan). A throttle left on a scope topic counts (removed or set after the plan,
        the plan is stale); listed only when there is one, so a plan without is unchanged."""
        named = frozenset(self.scope)
        refused = {"refused": True} if self.refused else {}
        placed = bool(self.min_insync) or any(r.topic in named for r in self.moving.values())
        missing: dict[str, list[str]] = {}
        # the rights of a topic whose throttle is left (not moving, factor kept) are the removal's
        watched = {*self.min_insync, *(r.topic for r in self.moving.values())}
        for t in sorted(self.rights.topics if self.rights is not None else ()):
            if t not in named or self.rights is None:
                continue
            if found := lacking(self.rights, t) if t in watched else unthrottle_lacking(self.rights, t):
                missing[t] = found
        if self.rates and self.rights is not None and (found := unthrottle_lacking(self.rights, None)):
            missing["broker:rates"] = found  # (no topic name has a colon)
        head = refused | ({"lacking": missing} if missing else {})
        left = {t: dict(sorted(c.items())) for t, c in sorted(self.throttled.items()) if t in named}
        tail = {"throttled": left} if left else {}
        if self.rates:
            tail["rates"] = {str(b): dict(sorted(c.items())) for b, c in sorted(self.rates.items())}
        body = {
            "brokers": [[b.id, b.rack] for b in self.brokers] if placed else [],
            "replicas": {
                t: {str(p): list(s.replicas) for p, s in sorted(parts.items())}
                for t, parts in sorted(self.partitions.items())
                if t in named
            },
            "moving": [
                [r.topic, r.partition, list(r.replicas), list(r.adding), list(r.removing)]
                for _, r in sorted(self.moving.items())
                if r.topic in named
            ],
        }
        return head | body | tail


def factor(partitions: Mapping[int, PartitionState]) -> int:
    """A topic's replication factor as Kafka reports it: its largest replica list."""
    return max((len(s.replicas) for s in partitions.values()), default=0)


def selected(
    partitions: Mapping[str, Mapping[int, PartitionState]],
    moving: Mapping[Partition, Reassignment],
    scope: Mapping[str, int],
) -> tuple[list[str], list[str]]:
    """The scope's topics whose factor changes (their min.insync.replicas is read) and those whose
    partition sizes are read: the changing ones and those with a reassignment in progress."""
    busy = {t for t, _ in moving}
    changing = sorted(
        t for t, rf in scope.items() if t in partitions and factor(partitions[t]) != rf and t not in busy
    )
    watched = sorted({*changing, *(t for t in busy if t in scope)})
    return changing, watched


def unthrottling(
    throttled: Mapping[str, Mapping[str, str]], moving: Mapping[Partition, Reassignment], changing: list[str]
) -> list[str]:
    """The throttled topics whose throttle the plan may remove (kgov/kinds/replicas/leftover.py):
    none of their partitions moves and their factor stays."""
    busy = {t for t, _ in moving} | set(changing)
    return sorted(t for t in throttled if t not in busy)


def observe_replicas(
    port: ReplicaPort, scope: Mapping[str, int], wide: bool = False, read_rates: bool = True
) -> ObservedReplicas:
    """`wide` (a snapshot): min.insync.replicas and sizes of every scope topic that exists, so that
    plans of a changed catalog can be answered from it. `read_rates`: the brokers' throttle rates are read
    (not in a scoped plan: kgov/kinds/replicas/__init__.py `narrow`)."""
    brokers = tuple(sorted(port.describe_brokers()))
    partitions = port.partition_replicas()
    try:
        moving = {(r.topic, r.partition): r for r in port.list_partition_reassignments(None)}
    except ClusterError as exc:
        if REFUSED not in exc.message:
            raise
        # Without DESCRIBE on the cluster nothing of a reassignment can be read; a plan that changes
        # no factor does not need it (the diff blocks a factor change, saying why)
        return ObservedReplicas(brokers, partitions, scope=tuple(sorted(scope)), refused=True)
    changing, watched = selected(partitions, moving, scope)
    if wide:
        changing = watched = sorted(t for t in scope if t in partitions)
    throttled = throttles(port, [t for t in sorted(scope) if t in partitions])
    rates = {} if moving or not read_rates else throttle_rates(port, [b.id for b in brokers])
    # kgov's rights: for a factor change, a move, and a throttle left behind (its removal's)
    asked = sorted({*watched, *unthrottling(throttled, moving, changing)})
    rights = port.rights(asked) if asked or rates else None
    min_insync = dict(port.topic_min_insync(changing)) if changing else {}
    keys = [(t, p) for t in watched for p in sorted(partitions.get(t, {}))]
    sizes: dict[Partition, int] = {}
    copied: dict[Partition, int] = {}
    if keys:
        found = port.describe_log_dirs(keys, [b.id for b in brokers])  # the brokers just read
        for key in keys:
            state = partitions[key[0]][key[1]]
            on = found.sizes.get(key, {})
            # the leader's replica is the one a new replica copies; without one, the largest
            leader = state.leader
            sizes[key] = on[leader] if leader is not None and leader in on else found.total(key)
            if key in moving:
                copied[key] = sum(on.get(b, 0) for b in moving[key].adding)
    return ObservedReplicas(
        brokers,
        partitions,
        moving,
        min_insync,
        sizes,
        copied,
        tuple(sorted(scope)),
        rights=rights,
        throttled=throttled,
        rates=rates,
    )


def throttles(port: ReplicaPort, names: list[str]) -> dict[str, dict[str, str]]:
    """The replication throttle each named topic carries (the configs of TOPIC_THROTTLES it sets,
    not empty), from one batched read of their explicit configs."""
    if not names:
        return {}
    out: dict[str, dict[str, str]] = {}
    for name, configs in port.topic_configs(names).items():
        found = {k: configs[k] for k in TOPIC_THROTTLES if configs.get(k)}
        if found:
            out[name] = found
    return out


def throttle_rates(port: ReplicaPort, brokers: list[int]) -> dict[int, dict[str, str]]:
    """The throttle rates (BROKER_THROTTLES) each broker carries as its own dynamic config; none
    when kgov may not read the brokers' configs (DESCRIBE_CONFIGS on the cluster): it could not
    remove a rate either, and a plan of topics must not fail for want of that right. The brokers'
    reads are all in flight at once, and shared with the broker kind's read of the same plan."""
    out: dict[int, dict[str, str]] = {}
    try:
        read = port.broker_configs(brokers) if brokers else {}
    except ClusterError as exc:
        if REFUSED not in exc.message:
            raise
        return out
    for broker, configs in read.items():
        found = {k: configs[k] for k in BROKER_THROTTLES if configs.get(k)}
        if found:
            out[broker] = found
    return out
