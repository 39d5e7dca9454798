"""A replication throttle left behind, and its removal (pure: no I/O).

kgov throttles its reassignments (kgov/kinds/replicas/apply.py) and removes the throttle once they
end. When that removal fails (a broker died, the controller timed out) and the reassignment then
ends before the next `kgov apply` reads the cluster, nothing moves and no factor differs, yet the
topic still carries leader/follower.replication.throttled.replicas. The topic kind ignores those keys
on purpose (ownership.ignore_configs: Kafka's reassignment tool sets them while it runs, and
resetting them as drift would break it), so the replica kind plans their removal itself.

Whose throttle it removes, explicitly:
- only on a topic of its scope: a topic of the catalog that exists and is not protected (topics the
  catalog does not declare, and protected ones, are never touched, as with every other kind);
- only while no partition of that topic is moving: a reassignment in progress (kgov's or anyone's,
  e.g. kafka-reassign-partitions) still needs its throttle, which it then keeps;
- only the keys the topic kind ignores (ownership.ignore_configs and the platform's ignored keys):
  a key that is not ignored is the topic kind's, compared with the catalog as any config;
- not when the plan changes the topic's factor: that reassignment sets the throttle and removes it
  at its end, the leftover with it.
The brokers' rates (leader/follower.replication.throttled.rate, which kgov sets on every broker for
its reassignments and the broker kind never manages: kgov/broker_configs.py KGOV_MANAGED) are kgov's
too: a broker carrying one gets an entry (`replicas.broker:<id>`: no topic name has a colon) only
when no partition moves anywhere on the cluster (any reassignment may need them) and the plan starts
no reassignment (whose end removes them from every broker). Apply reads the reassignments in
progress once more before it removes anything.
Each removal needs ALTER_CONFIGS (on the topic; on the cluster for a rate). One kgov's principal lacks
it for is not planned: a warning names the right and the command that removes it by hand
(`not_removed`). It is not blocked: the catalog never asked for it, and a principal kept to its
topics would otherwise fail every plan on a rate an operator's reassignment left. Apply reads the
rights again before it removes anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.kafka_configs import ignored_config
from kgov.kinds.replicas.rights import unthrottle_hint
from kgov.plan.model import Change, Entry

UNTHROTTLE = "unthrottle"  # the detail of a change row that removes a throttle key
NOTE = (
    "A replication throttle left by a reassignment that has ended (no partition of this topic is "
    "moving): apply removes it."
)
RATE_NOTE = (
    "A replication throttle rate left by a reassignment that has ended (no partition moves on the "
    "cluster): apply removes it if none moves then either."
)
BROKER = "broker:"  # the name prefix of a broker's entry


def is_cleanup(entry: Entry) -> bool:
    return entry.action == "update" and all(c.detail == UNTHROTTLE for c in entry.changes)


def broker_of(entry: Entry) -> int | None:
    """The broker id of a broker's cleanup entry; None for a topic's."""
    return int(entry.name.removeprefix(BROKER)) if entry.name.startswith(BROKER) else None


def rate_entry(kind: str, broker: int, left: Mapping[str, str]) -> Entry:
    keys = sorted(left)
    return Entry(
        address=f"{kind}.{BROKER}{broker}",
        kind=kind,
        name=f"{BROKER}{broker}",
        action="update",
        before={"config": {k: left[k] for k in keys}},
        after={"config": {}},
        changes=tuple(Change(f"config.{k}", left[k], None, UNTHROTTLE) for k in keys),
        label=f"broker {broker}",
        notes=(RATE_NOTE,),
    )


def cleanup_entry(kind: str, name: str, left: Mapping[str, str], patterns: Sequence[str]) -> Entry | None:
    """The entry removing the throttle keys `left` on topic `name` that the topic kind ignores
    (`patterns`), or None when there is none."""
    keys = sorted(k for k in left if ignored_config(k, patterns))
    if not keys:
        return None
    return Entry(
        address=f"{kind}.{name}",
        kind=kind,
        name=name,
        action="update",
        before={"config": {k: left[k] for k in keys}},
        after={"config": {}},
        changes=tuple(Change(f"config.{k}", left[k], None, UNTHROTTLE) for k in keys),
        notes=(NOTE,),
    )


def by_hand(entry: Entry) -> str:
    """The kafka-configs.sh line that removes the entry's throttle keys."""
    broker = broker_of(entry)
    what = f"brokers --entity-name {broker}" if broker is not None else f"topics --entity-name {entry.name}"
    keys = ",".join(c.field.removeprefix("config.") for c in entry.changes)
    return f"kafka-configs.sh --bootstrap-server HOST --entity-type {what} --alter --delete-config {keys}"


def not_removed(entry: Entry, missing: list[str]) -> str:
    """The plan's warning for a cleanup entry kgov's principal lacks `missing` to apply."""
    broker = broker_of(entry)
    where = f"broker {broker}" if broker is not None else f"topic {entry.name}"
    keys = ", ".join(c.field.removeprefix("config.") for c in entry.changes)
    return (
        f"the replication throttle left on {where} ({keys}) is not removed: kgov's principal lacks "
        f"{'; '.join(missing)}; {unthrottle_hint(missing, by_hand(entry))}"
    )
