"""A replication throttle left behind, in `kgov audit`: `throttle-left` (a catalog topic carrying
leader/follower.replication.throttled.replicas with none of its partitions moving) and
`throttle-rate-left` (a broker carrying leader/follower.replication.throttled.rate with no partition
moving on the cluster), both warnings. Pure: from what observe read for the plan (the scope topics'
configs, the brokers' configs when nothing moves), so the audit adds no request.

kgov cannot tell a throttle an interrupted reassignment left from one an operator set on purpose,
so each finding says both and what `kgov apply` would do with it, as the plan decides it
(kgov/kinds/replicas/leftover.py, diff.py): remove it; leave it to the topic kind (keys not ignored
by ownership.ignore_configs); remove it at the end of the plan's own reassignment (the factor
differs); or not at all while kgov's principal lacks ALTER_CONFIGS (the plan warns instead of
planning the removal).
"""

from __future__ import annotations

from collections.abc import Mapping

from kgov.kinds.base import DiffContext, Violation
from kgov.kinds.replicas.diff import diff_replicas
from kgov.kinds.replicas.leftover import by_hand, cleanup_entry, rate_entry
from kgov.kinds.replicas.observe import ObservedReplicas
from kgov.kinds.replicas.rights import unthrottle_hint, unthrottle_lacking
from kgov.plan.model import Entry
from kgov.platforms import profile

KIND = "replicas"
FACTOR_ACTIONS = ("reassign", "blocked")  # a factor change's entry (a cleanup's is an `update`)
TOPIC = "throttle-left"
RATE = "throttle-rate-left"
SHOWN = 60  # characters of a value shown (a throttled-replicas list names every replica)
EITHER = "left by a reassignment that has ended, or set on purpose: kgov cannot tell them apart"
KEEP = (
    "if it is wanted, set its keys in the topic's catalog config and take them out of "
    "ownership.ignore_configs (the topic kind then owns them), or leave the topic out of the catalog"
)

OWNED = "if it is wanted, set its keys in the topic's catalog config (the topic kind owns them)"


def leftover_findings(
    observed: ObservedReplicas, factors: Mapping[str, int], ctx: DiffContext
) -> list[Violation]:
    """`factors`: the catalog's topics (not protected) and their replication_factor."""
    busy = {t for t, _ in observed.moving}
    ignore = (*ctx.settings.ownership.ignore_configs, *profile(ctx.environment.platform).ignore_topic_configs)
    # what the plan does with the factors, as the plan decides it: a factor change it blocks (a right
    # missing, too few live brokers) starts no reassignment, so it neither sets nor removes a throttle
    planned = {e.name: e for e in diff_replicas(factors, observed, ctx)[0] if e.action in FACTOR_ACTIONS}
    found: list[Violation] = []
    for name, left in sorted(observed.throttled.items()):
        parts = observed.partitions.get(name)
        if name in busy or name not in factors or not parts:
            continue  # a move in progress needs it (`reassignment-in-progress`)
        found.append(_topic(name, left, planned.get(name), ignore, observed))
    changing = sum(1 for e in planned.values() if e.action == "reassign")
    for broker, left in sorted(observed.rates.items()):  # read only when nothing moves
        found.append(_rate(broker, left, changing, observed))
    return found


def _topic(
    name: str,
    left: Mapping[str, str],
    factor_entry: Entry | None,
    ignore: tuple[str, ...],
    observed: ObservedReplicas,
) -> Violation:
    said = f"replication throttle {_values(left)} with no partition of the topic moving ({EITHER})"
    entry = cleanup_entry(KIND, name, left, ignore)
    theirs = sorted(set(left) - {c.field.removeprefix("config.") for c in entry.changes} if entry else left)
    topic_kinds = (
        f"; {', '.join(theirs)}: the topic kind's (not in ownership.ignore_configs), compared with the "
        "catalog's config like any key"
        if theirs
        else ""
    )
    missing = unthrottle_lacking(observed.rights, name) if observed.rights is not None else []
    if factor_entry is not None and factor_entry.action == "blocked":
        return Violation(
            TOPIC,
            KIND,
            name,
            f"{said}: `kgov apply` leaves it while the plan's replication_factor change of this topic is "
            f"blocked ({factor_entry.reason})",
            "warning",
            hint=KEEP,
        )
    if factor_entry is not None:
        return Violation(
            TOPIC,
            KIND,
            name,
            f"{said}: the plan's reassignment of this topic (its replication_factor differs) removes it "
            "at its end, with the throttle it sets",
            "warning",
            hint=KEEP,
        )
    if entry is None:
        return Violation(TOPIC, KIND, name, f"{said}{topic_kinds}", "warning", hint=OWNED)
    if missing:
        return Violation(
            TOPIC,
            KIND,
            name,
            f"{said}: `kgov apply` cannot remove it, kgov's principal lacks {'; '.join(missing)} "
            f"(the plan warns and leaves it){topic_kinds}",
            "warning",
            hint=unthrottle_hint(missing, by_hand(entry)),
        )
    return Violation(
        TOPIC,
        KIND,
        name,
        f"{said}: `kgov apply` removes it (a throttle set on purpose too){topic_kinds}",
        "warning",
        hint=KEEP,
    )


def _rate(broker: int, left: Mapping[str, str], changing: int, observed: ObservedReplicas) -> Violation:
    said = f"replication throttle rate {_values(left)} with no partition moving on the cluster ({EITHER})"
    missing = unthrottle_lacking(observed.rights, None) if observed.rights is not None else []
    if missing:
        entry = rate_entry(KIND, broker, left)
        return Violation(
            RATE,
            KIND,
            f"broker:{broker}",
            f"{said}: `kgov apply` cannot remove it, kgov's principal lacks {'; '.join(missing)} "
            "(the plan warns and leaves it)",
            "warning",
            hint=unthrottle_hint(missing, by_hand(entry)),
        )
    what = (
        f"the plan's replication-factor change ({changing} topic(s)) sets the rate again and removes it "
        "at the end of its reassignments"
        if changing
        else "`kgov apply` removes it if no partition moves then either (a rate set on purpose too)"
    )
    return Violation(
        RATE,
        KIND,
        f"broker:{broker}",
        f"{said}: {what}",
        "warning",
        hint="nothing to do if it was left behind; kgov treats these rates as its own (the broker kind "
        "never manages them), so set a rate wanted for other reassignments while they run",
    )


def _values(configs: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={_short(configs[k])}" for k in sorted(configs))


def _short(value: str) -> str:
    if len(value) <= SHOWN:
        return value
    return f"{value[: SHOWN - 3]}... ({value.count(',') + 1} entries)"
