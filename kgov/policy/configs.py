"""Topic configs: known to Kafka 4, with values Kafka accepts (readable units welcome)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial

from kgov.diagnostics import Location, Severity
from kgov.kafka_configs import TOPIC_CONFIGS, ConfigValueError, ignored_config, lookup, normalize
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule

_ORDERS = (
    "service: orders\nowner: team-orders\ntopics:\n  - name: orders.created\n"
    "    description: An order was placed.\n    partitions: 6\n    replication_factor: 3\n"
    "    config:\n      min.insync.replicas: 2\n"
)


def _configs(ctx: Context) -> Iterator[tuple[str, Mapping[str, object], Callable[[], Location], str]]:
    """(key, config, where the key is, whose) for every config entry of topics and overrides. The
    location is looked up only for a finding: a position may cost parsing the file again."""
    for topic in ctx.topics:
        for key in topic.config:
            yield key, topic.config, partial(topic.loc, "config", key), f"topic '{topic.name}'"
    for env in ctx.environments:
        for key in env.overrides.config:
            where = partial(env.loc, "overrides", "config", key)
            yield key, env.overrides.config, where, f"environment '{env.name}'"


@rule(
    "unknown-config",
    "known topic config",
    severity=Severity.ERROR,
    message="a config name is not a Kafka 4 topic config",
    hint="use the topic config names of Kafka's documentation, spelt as Kafka spells them",
    doc="""
Every key of a topic's `config` (and of an environment's `overrides.config`) must be a Kafka 4
topic-level config, spelt as Kafka spells it (`retention.ms`, not `retention_ms`). Typos come with
the closest known name; configs Kafka 4 removed (`message.format.version`, …) say so.
""",
    examples=(
        Example(False, {"topics/orders.yaml": _ORDERS + "      retention.msec: 7d\n"}, line=10),
        Example(True, {"topics/orders.yaml": _ORDERS + "      retention.ms: 7d\n"}),
    ),
)
def check_unknown(ctx: Context) -> Iterator[Finding]:
    for key, _, where, whose in _configs(ctx):
        if key in TOPIC_CONFIGS:
            continue
        try:
            lookup(key)
        except ConfigValueError as exc:
            yield Finding(where(), f"{whose}: {exc}")


@rule(
    "invalid-config-value",
    "valid config value",
    severity=Severity.ERROR,
    message="a config value is of the wrong type, out of range, or not one of the allowed values",
    hint="give a value Kafka accepts; durations and sizes may use units (7d, 1h, 256MiB)",
    doc="""
Each config value is checked as Kafka would: its type (whole number, number, true/false, list),
its range (`min.cleanable.dirty.ratio` between 0 and 1, `segment.bytes` at least 1 MiB, …) and its
allowed values (`cleanup.policy`: `delete`, `compact` or both; `compression.type`, …).
Durations and sizes may be written in readable units (`7d`, `12h`, `256MiB`, `1GB`): those are
normalised to Kafka's form by plan and are not reported.
""",
    examples=(
        Example(False, {"topics/orders.yaml": _ORDERS + "      cleanup.policy: compacted\n"}, line=10),
        Example(False, {"topics/orders.yaml": _ORDERS + "      retention.ms: 7 days\n"}, line=10),
        Example(
            True, {"topics/orders.yaml": _ORDERS + "      retention.ms: 7d\n      segment.bytes: 256MiB\n"}
        ),
    ),
)
def check_values(ctx: Context) -> Iterator[Finding]:
    for key, config, where, whose in _configs(ctx):
        if key not in TOPIC_CONFIGS:
            continue
        try:
            normalize(key, config[key])
        except ConfigValueError as exc:
            yield Finding(where(), f"{whose}: {key}: {exc}")


@rule(
    "ignored-config",
    "no config kgov ignores",
    severity=Severity.WARNING,
    message="a topic sets a config that ownership.ignore_configs tells kgov to ignore",
    hint="remove the key from the topic, or the pattern from ownership.ignore_configs",
    doc="""
`ownership.ignore_configs` lists glob patterns of topic config keys that kgov neither sets nor resets
(default `confluent.*` and `*.replication.throttled.replicas`: keys a vendor or a reassignment sets,
which kgov does not manage). A topic (or an environment's `overrides.config`) that sets such a key
says two contradictory things: kgov will not keep the cluster's value in line with it.
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": _ORDERS + "      leader.replication.throttled.replicas: '*'\n",
                "kgov.yaml": "version: 1\nownership:\n"
                "  ignore_configs: ['confluent.*', '*.throttled.replicas']\n",
            },
            line=10,
        ),
        Example(True, {"topics/orders.yaml": _ORDERS + "      retention.ms: 7d\n"}),
    ),
)
def check_ignored(ctx: Context) -> Iterator[Finding]:
    patterns = ctx.catalog.settings.ownership.ignore_configs
    for key, _, where, whose in _configs(ctx):
        if ignored_config(key, patterns):
            pattern = next(p for p in patterns if ignored_config(key, (p,)))
            yield Finding(
                where(),
                f"{whose}: config '{key}' matches ownership.ignore_configs pattern '{pattern}': "
                "kgov never resets it as drift",
            )
