"""Partitions, replication factor and min.insync.replicas: on the catalog and after each environment.

Policy minimums apply to the catalog's own values. Environment overrides are deliberate (a
single-broker sandbox has one replica of everything), so after an environment's overrides only the
hard invariants are checked: partition bounds, and min.insync.replicas ≤ replication factor (else
every `acks=all` write fails).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from kgov.catalog.model import Bounds, Environment
from kgov.diagnostics import Location, Severity
from kgov.kafka_configs import TOPIC_CONFIGS
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule, topic_file

MIN_ISR = "min.insync.replicas"
_ENV = "version: 1\nenvironments:\n  {name}:\n    kafka: {{bootstrap_servers: 'localhost:9092'}}\n"
_KAFKA_DEFAULT_MIN_ISR = int(TOPIC_CONFIGS[MIN_ISR].default)


def _outside(value: int, bounds: Bounds) -> str | None:
    if bounds.min is not None and value < bounds.min:
        return f"below the policy minimum {bounds.min}"
    if bounds.max is not None and value > bounds.max:
        return f"above the policy maximum {bounds.max}"
    return None


def _within(values: list[int], bounds: Bounds) -> bool:
    """True when no value is `_outside` the bounds: the smallest and the largest, found in C, are not."""
    if not values:
        return True
    return (bounds.min is None or min(values) >= bounds.min) and (
        bounds.max is None or max(values) <= bounds.max
    )


def _names(topics: list[str]) -> str:
    shown = ", ".join(topics[:5])
    return shown + (f" and {len(topics) - 5} more" if len(topics) > 5 else "")


@rule(
    "partitions-bounds",
    "partition count within bounds",
    severity=Severity.ERROR,
    message="a topic's partition count is outside policy.partitions",
    hint="choose a partition count within policy.partitions (kgov.yaml)",
    doc="""
`partitions` must lie within `policy.partitions` (default 1 to 120), in the catalog and after every
environment's `overrides.partitions` (lint `--env` picks the environments; default: all).
Partition bounds are a hard limit, so they hold in every environment.
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": topic_file("orders", "orders.created").replace(
                    "partitions: 6", "partitions: 500"
                )
            },
            line=6,
        ),
        Example(
            False,
            {"kgov.yaml": _ENV.format(name="dev") + "    overrides: {partitions: 1000}\n"},
            line=5,
            note="an environment override beyond the maximum",
        ),
    ),
)
def check_partitions(ctx: Context) -> Iterator[Finding]:
    bounds = ctx.policy.partitions
    for topic in () if _within(ctx.column("partitions"), bounds) else ctx.topics:
        problem = _outside(topic.partitions, bounds)
        if problem:
            yield Finding(
                topic.loc("partitions"), f"topic '{topic.name}': {topic.partitions} partitions is {problem}"
            )
    for env in ctx.environments:
        value = env.overrides.partitions
        if value is not None and (problem := _outside(value, bounds)):
            yield Finding(
                env.loc("overrides", "partitions"),
                f"environment '{env.name}': overrides.partitions {value} is {problem}",
            )


@rule(
    "replication-factor-bounds",
    "replication factor within bounds",
    severity=Severity.ERROR,
    message="a topic's replication factor is outside policy.replication_factor",
    hint="use at least policy.replication_factor.min replicas (3 by default) so a broker can fail",
    doc="""
`replication_factor` must lie within `policy.replication_factor` (default: at least 3). This is
checked on the catalog's own values only: an environment's `overrides.replication_factor` is a
deliberate exception (a one-broker sandbox cannot hold three replicas).
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": topic_file("orders", "orders.created").replace(
                    "replication_factor: 3", "replication_factor: 1"
                )
            },
            line=7,
        ),
        Example(
            True,
            {
                "kgov.yaml": _ENV.format(name="local")
                + "    overrides: {replication_factor: 1, config: {min.insync.replicas: 1}}\n"
            },
            note="an environment may lower the replication factor",
        ),
    ),
)
def check_replication(ctx: Context) -> Iterator[Finding]:
    bounds = ctx.policy.replication_factor
    for topic in () if _within(ctx.column("replication_factor"), bounds) else ctx.topics:
        problem = _outside(topic.replication_factor, bounds)
        if problem:
            yield Finding(
                topic.loc("replication_factor"),
                f"topic '{topic.name}': replication factor {topic.replication_factor} is {problem}",
            )


def _isr_fits(ctx: Context, wanted: int | None) -> bool:
    """True when no topic can be reported: every distinct min.insync.replicas (Kafka's default
    included) is at most the smallest replication factor and at least `wanted`."""
    values = ctx.topic_config_values(MIN_ISR)
    if values is None or not ctx.topics:
        return values is not None
    try:
        isrs = [_KAFKA_DEFAULT_MIN_ISR]  # for the topics that do not set it (if any)
        for value in values:
            raw = ctx.config_value({MIN_ISR: value}, MIN_ISR)
            if raw is not None:  # an invalid value's topic is passed over
                isrs.append(int(raw))
        smallest_rf = min(ctx.column("replication_factor"))
        return max(isrs) <= smallest_rf and (wanted is None or min(isrs) >= wanted)
    except Exception:  # the loop meets it as before
        return False


@rule(
    "min-insync-replicas",
    "min.insync.replicas fits the replication factor",
    severity=Severity.ERROR,
    message="min.insync.replicas is above the replication factor, or below policy.min_insync_replicas",
    hint="set min.insync.replicas between policy.min_insync_replicas.min and the replication factor",
    doc="""
With `acks=all`, a write needs `min.insync.replicas` replicas in sync: above the replication factor,
every such write fails. So `min.insync.replicas` ≤ `replication_factor` is checked on the catalog and
after each environment's overrides (where the override that breaks it is reported, once for all the
topics it breaks).

On the catalog's own values, `min.insync.replicas` must also be at least
`policy.min_insync_replicas.min` (default 2). A topic that does not set it counts as Kafka's
topic default, 1: a broker-wide setting cannot be seen offline, so set it on the topic.
Environment overrides may go lower (deliberate, like the replication factor).
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": topic_file("orders", "orders.created").replace(
                    "min.insync.replicas: 2", "min.insync.replicas: 4"
                )
            },
            line=8,
        ),
        Example(
            False,
            {
                "topics/orders.yaml": topic_file("orders", "orders.created").replace(
                    "    config: {min.insync.replicas: 2}\n", ""
                )
            },
            line=4,
            note="not set: Kafka's default 1 is below the policy minimum 2",
        ),
        Example(
            False,
            {"kgov.yaml": _ENV.format(name="local") + "    overrides: {replication_factor: 1}\n"},
            line=5,
            note="one replica, but the topics still ask for two in sync",
        ),
    ),
)
def check_min_isr(ctx: Context) -> Iterator[Finding]:
    wanted = ctx.policy.min_insync_replicas.min
    for topic in () if _isr_fits(ctx, wanted) else ctx.topics:
        raw = ctx.config_value(topic.config, MIN_ISR)
        if MIN_ISR in topic.config and raw is None:
            continue  # an invalid value: reported by invalid-config-value
        isr = int(raw) if raw is not None else _KAFKA_DEFAULT_MIN_ISR
        too_high, too_low = isr > topic.replication_factor, wanted is not None and isr < wanted
        if not (too_high or too_low):
            continue  # most topics: no finding, so no position looked up (it may parse the file)
        where = topic.loc("config", MIN_ISR) if raw is not None else topic.loc()
        if too_high:
            yield Finding(
                where,
                f"topic '{topic.name}': min.insync.replicas {isr} is above its replication factor "
                f"{topic.replication_factor}; every acks=all write would fail",
            )
        else:
            what = (
                f"min.insync.replicas {isr}"
                if raw is not None
                else "min.insync.replicas is not set (Kafka's default: 1)"
            )
            yield Finding(
                where,
                f"topic '{topic.name}': {what}, below the policy minimum {wanted}",
                f"set config.min.insync.replicas: {wanted} (or more, up to the replication factor)",
            )
    for env in ctx.environments:
        yield from _env_min_isr(ctx, env)


def _env_min_isr(ctx: Context, env: Environment) -> Iterator[Finding]:
    ov = env.overrides
    isr_override = MIN_ISR in ov.config
    if ov.replication_factor is None and not isr_override:
        return  # nothing changes in this environment: the catalog's check covers it
    env_isr = ctx.config_value(ov.config, MIN_ISR)
    if isr_override and env_isr is None:
        return  # invalid override value: reported by invalid-config-value
    broken: dict[tuple[Location, int, int], list[str]] = defaultdict(list)
    for topic in ctx.topics:
        rf = ov.replication_factor if ov.replication_factor is not None else topic.replication_factor
        if env_isr is not None:
            isr = int(env_isr)
        else:
            raw = ctx.config_value(topic.config, MIN_ISR)
            isr = int(raw) if raw is not None else _KAFKA_DEFAULT_MIN_ISR
        if isr <= rf:
            continue
        if env_isr is not None and ov.replication_factor is None:
            where = env.loc("overrides", "config", MIN_ISR)  # the override raised it above the topic's RF
        elif ov.replication_factor is not None:
            where = env.loc("overrides", "replication_factor")
        else:
            where = topic.loc("config", MIN_ISR)
        broken[(where, isr, rf)].append(topic.name)
    for (where, isr, rf), names in broken.items():
        yield Finding(
            where,
            f"environment '{env.name}': after its overrides, min.insync.replicas ({isr}) is above the "
            f"replication factor ({rf}) of {len(names)} topic{'s' if len(names) > 1 else ''}: "
            + _names(names),
            f"also override min.insync.replicas in environments.{env.name}.overrides.config "
            "(at most the replication factor)",
        )
