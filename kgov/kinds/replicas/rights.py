"""The rights a replication-factor change needs, checked before anything starts (issue 20, point 5).

Kafka answers each request kgov sends with its principal's rights; without one, an apply would set
the throttle and then fail midway. So the plan reads kgov's authorized operations (one
DescribeCluster, DescribeTopics in batches: ReplicaPort.rights) when a factor changes and blocks a
change it lacks a right for, and apply reads them again before it writes anything. DESCRIBE on the
cluster (ListPartitionReassignments, DescribeLogDirs) is checked by observe itself: without it
Kafka withholds the cluster's authorized operations too (kgov/kinds/replicas/observe.py `refused`).
Removing a throttle left behind (kgov/kinds/replicas/leftover.py) needs ALTER_CONFIGS too: on the
topic for its throttled replicas, on the cluster for a broker's rate; the plan reads the rights for
those entries only when there is one, and plans none kgov lacks the right for (`unthrottle_lacking`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kgov.cluster.kafka.replica_port import Rights


@dataclass(frozen=True)
class Need:
    operation: str
    on_cluster: bool  # the cluster resource (kafka-cluster); else the topic
    why: str  # the Kafka requests that need it


# ALTER on the cluster only where kgov submits a reassignment or elects leaders
REASSIGN = Need("ALTER", True, "AlterPartitionReassignments, ElectLeaders")
THROTTLE_RATE = Need(
    "ALTER_CONFIGS", True, "IncrementalAlterConfigs: the brokers' leader/follower.replication.throttled.rate"
)
THROTTLE_REPLICAS = Need(
    "ALTER_CONFIGS", False, "IncrementalAlterConfigs: leader/follower.replication.throttled.replicas"
)
NEEDS = (REASSIGN, THROTTLE_RATE, THROTTLE_REPLICAS)


# removing a throttle left behind: the same right, asked for another reason
UNTHROTTLE_RATE = Need(
    "ALTER_CONFIGS",
    True,
    "IncrementalAlterConfigs: removing the broker's leader/follower.replication.throttled.rate",
)
UNTHROTTLE_REPLICAS = Need(
    "ALTER_CONFIGS", False, "IncrementalAlterConfigs: removing leader/follower.replication.throttled.replicas"
)


def _missing(rights: Rights, need: Need, topic: str | None) -> list[str]:
    have = rights.cluster if need.on_cluster else rights.topics.get(topic or "", frozenset())
    if need.operation in have:
        return []
    where = "the cluster" if need.on_cluster else f"topic {topic}"
    return [f"{need.operation} on {where} ({need.why})"]


def unthrottle_lacking(rights: Rights, topic: str | None) -> list[str]:
    """What kgov's principal lacks to remove the throttle left on `topic` (None: a broker's rate)."""
    return _missing(rights, UNTHROTTLE_RATE if topic is None else UNTHROTTLE_REPLICAS, topic)


def lacking(rights: Rights, topic: str, reassigns: bool = True) -> list[str]:
    """What kgov's principal lacks to change `topic`'s factor, each as "ALTER on the cluster
    (AlterPartitionReassignments, ElectLeaders)"; `reassigns`: kgov submits a reassignment or
    elects leaders (not when it only waits for one in progress)."""
    return [m for need in NEEDS if reassigns or need is not REASSIGN for m in _missing(rights, need, topic)]


def reason(missing: list[str]) -> str:
    return (
        f"kgov's principal lacks {'; '.join(missing)}: a replication-factor change needs "
        f"{'it' if len(missing) == 1 else 'them'} (kgov checks before it starts anything)"
    )


def refusals(
    addresses: Sequence[str], missing: Mapping[str, list[str]], refused: Callable[[list[str]], str]
) -> dict[str, str | None] | None:
    """None when nothing is `missing`; else each address's refusal, before anything is written: its
    own right, or, for one that lacks none, the first entry's (every entry of the apply stops)."""
    if not missing:
        return None
    first, why = sorted(missing.items())[0]
    return {
        a: refused(missing[a]) if a in missing else f"not started: {refused(why)} (for {first})"
        for a in addresses
    }


def refusal(missing: list[str]) -> str:
    """What apply says to an entry it did not start for a right kgov lacks."""
    return f"kgov's principal lacks {'; '.join(missing)}; nothing was started"


def hint(missing: list[str]) -> str:
    grants = ", ".join(m.split(" (", 1)[0].replace("the cluster", "cluster kafka-cluster") for m in missing)
    return f"grant kgov's principal {grants} (or keep replication_factor at its current value)"


def unthrottle_refusal(missing: list[str]) -> str:
    """What apply says to a throttle removal it did not start for a right kgov lacks."""
    return f"kgov's principal lacks {'; '.join(missing)}; the throttle was left as it is"


def unthrottle_hint(missing: list[str], command: str) -> str:
    """`command`: the kafka-configs.sh line that removes it by hand."""
    grants = ", ".join(m.split(" (", 1)[0].replace("the cluster", "cluster kafka-cluster") for m in missing)
    return f"grant kgov's principal {grants}, or remove the throttle by hand: {command}"
