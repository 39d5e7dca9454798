"""Topic configs: known to Kafka 4, with values Kafka accepts (readable units welcome)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kgov.catalog.model import Environment, Topic
from kgov.diagnostics import Location, Severity
from kgov.kafka_configs import TOPIC_CONFIGS, ConfigValueError, ignored_config, lookup, normalize
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule

_ORDERS = (
    "service: orders\nowner: team-orders\ntopics:\n  - name: orders.created\n"
    "    description: An order was placed.\n    partitions: 6\n    replication_factor: 3\n"
    "    config:\n      min.insync.replicas: 2\n"
)


def _configs(
    ctx: Context, topics: bool = True
) -> Iterator[tuple[str, Mapping[str, object], Topic | Environment]]:
    """(key, config, whose config) for every config entry of topics (unless not `topics`: a rule
    knows none of theirs has a finding) and overrides. Where the key is and whose it is are worked
    out only for a finding (`_where`, `_whose`): a position may cost parsing the file again, and
    100,000 topics' keys are mostly clean."""
    for topic in ctx.topics if topics else ():
        config = topic.config
        for key in config:
            yield key, config, topic
    for env in ctx.environments:
        for key in env.overrides.config:
            yield key, env.overrides.config, env


def _where(owner: Topic | Environment, key: str) -> Location:
    if isinstance(owner, Topic):
        return owner.loc("config", key)
    return owner.loc("overrides", "config", key)


def _whose(owner: Topic | Environment) -> str:
    return f"topic '{owner.name}'" if isinstance(owner, Topic) else f"environment '{owner.name}'"


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
    for key, _, owner in _configs(ctx, topics=not _all_known(ctx)):
        if key in TOPIC_CONFIGS:
            continue
        try:
            lookup(key)
        except ConfigValueError as exc:
            yield Finding(_where(owner, key), f"{_whose(owner)}: {exc}")


def _all_known(ctx: Context) -> bool:
    """True when every key a topic sets is a topic config (each key asked once)."""
    return all(key in TOPIC_CONFIGS for key in ctx.topic_config_keys)


def _none_ignored(ctx: Context, patterns: tuple[str, ...]) -> bool:
    """True when no key a topic sets matches ownership.ignore_configs (each key asked once)."""
    try:
        return not any(ignored_config(key, patterns) for key in ctx.topic_config_keys)
    except Exception:  # the rule's loop meets it as before
        return False


def _all_valid(ctx: Context) -> bool:
    """True when every topic config value of a known key normalizes, each distinct value asked once."""
    for key in ctx.topic_config_keys:
        if key not in TOPIC_CONFIGS:
            continue
        values = ctx.topic_config_values(key)
        if values is None:
            return False
        for value in values:
            try:
                normalize(key, value)
            except Exception:  # invalid, or anything else the loop then meets as before
                return False
    return True


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
    for key, config, owner in _configs(ctx, topics=not _all_valid(ctx)):
        if key not in TOPIC_CONFIGS:
            continue
        try:
            normalize(key, config[key])
        except ConfigValueError as exc:
            yield Finding(_where(owner, key), f"{_whose(owner)}: {key}: {exc}")


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
    ignored: dict[str, bool] = {}  # key -> matches: 100,000 topics repeat a few keys
    for key, _, owner in _configs(ctx, topics=not _none_ignored(ctx, patterns)):
        hit = ignored.get(key)
        if hit is None:
            hit = ignored[key] = ignored_config(key, patterns)
        if hit:
            pattern = next(p for p in patterns if ignored_config(key, (p,)))
            yield Finding(
                _where(owner, key),
                f"{_whose(owner)}: config '{key}' matches ownership.ignore_configs pattern '{pattern}': "
                "kgov never resets it as drift",
            )
