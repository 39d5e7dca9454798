"""Remove a replication throttle left behind (the cleanup entries of kgov/kinds/replicas/leftover.py),
and the words apply uses for a throttle it leaves. Split from apply.py: kgov's rights are read again
first (ALTER_CONFIGS on each topic, on the cluster for a broker's rate; one missing refuses every
entry before any write), then the reassignments in progress (a topic that started moving since the
plan keeps its throttle; the brokers keep their rates while anything moves)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.cluster.kafka.port import ConfigOp
from kgov.cluster.kafka.replica_port import ReplicaPort
from kgov.kinds.base import ApplyOptions
from kgov.kinds.replicas.leftover import broker_of
from kgov.kinds.replicas.rights import refusals, unthrottle_lacking, unthrottle_refusal
from kgov.plan.model import Entry


def remove_leftovers(
    port: ReplicaPort, entries: Sequence[Entry], options: ApplyOptions
) -> dict[str, str | None]:
    """Remove the throttle the cleanup entries name: the topics' in one batched config write, the
    brokers' one request per broker. The reassignments in progress are read again first (one
    request): a topic that started moving since the plan keeps its throttle, and the brokers keep
    their rates while any partition moves."""
    errors: dict[str, list[str]] = {e.address: [] for e in entries}
    moving = {r.topic for r in port.list_partition_reassignments(None)}
    topics: dict[str, list[ConfigOp]] = {}
    brokers: dict[int, list[ConfigOp]] = {}
    owner: dict[str, str] = {}
    for e in entries:
        ops = [ConfigOp(c.field.removeprefix("config."), None) for c in e.changes]
        broker = broker_of(e)
        if broker is None and e.name in moving:
            errors[e.address].append(
                f"a reassignment of topic {e.name} started after the plan: its throttle is left to it; "
                "plan again"
            )
        elif broker is not None and moving:
            errors[e.address].append(
                "a reassignment started after the plan: the broker's throttle rate is left to it; plan again"
            )
        elif broker is None:
            topics[e.name] = ops
            owner[e.name] = e.address
        else:
            brokers[broker] = ops
            owner[str(broker)] = e.address
    for topic, error in sorted(port.alter_topic_configs(topics).items() if topics else ()):
        if error is not None:
            errors[owner[topic]].append(left_text(f"topic {topic} ({error})"))
    for broker_id, error in sorted(port.alter_broker_configs(brokers).items() if brokers else ()):
        if error is not None:
            errors[owner[broker_id]].append(left_text(f"broker {broker_id} ({error})", broker=True))
    gone = [a for a in owner.values() if not errors[a]]
    if gone:
        options.report(
            f"replication throttle left by an ended reassignment removed ({len(gone)} resource(s))"
        )
    return joined(errors)


def check_unthrottle_rights(
    port: ReplicaPort, entries: Sequence[Entry], leftovers: Sequence[Entry]
) -> dict[str, str | None] | None:
    """None when kgov may remove every throttle the cleanup entries name (one rights read, the plan's
    may be old); else every entry's refusal, before anything is written (none is half-removed)."""
    rights = port.rights(sorted({e.name for e in leftovers if broker_of(e) is None}))
    missing: dict[str, list[str]] = {}
    for e in leftovers:
        found = unthrottle_lacking(rights, None if broker_of(e) is not None else e.name)
        if found:
            missing[e.address] = found
    return refusals([e.address for e in entries], missing, unthrottle_refusal)


def joined(errors: Mapping[str, list[str]]) -> dict[str, str | None]:
    return {a: "; ".join(m) or None for a, m in errors.items()}


def left_text(where: str, broker: bool = False) -> str:
    if broker:  # a rate serves any reassignment: removed once none runs (leftover.py)
        return (
            f"the replication throttle is left on {where}: the next `kgov apply` removes it once no "
            "partition moves on the cluster, or remove it with kafka-configs.sh"
        )
    return (
        f"the replication throttle is left on {where}: the next `kgov apply` removes it once no "
        "partition of the topic moves, or remove it with kafka-configs.sh"
    )
