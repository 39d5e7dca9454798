"""Platform limits: what the platform an environment names in kgov.yaml (`platform:`) would refuse.

Each rule reads the profile of kgov/platforms.py (every entry sourced from the platform's documentation,
cited in the finding) and applies only to the environments that name that platform. A topic is
planned into every environment, so a topic's value is checked once per platform its environments
name; an environment's `overrides` only for that environment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial

from kgov.catalog.model import Environment, Topic
from kgov.diagnostics import Location, Severity
from kgov.kafka_configs import ConfigValueError, ignored_config, normalize
from kgov.platforms import DEFAULT, Profile, profile
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule

_TOPIC = (
    "service: orders\nowner: team-orders\ntopics:\n  - name: orders.created\n"
    "    description: An order was placed.\n    partitions: 6\n    replication_factor: {rf}\n"
    "    config:\n      min.insync.replicas: 2\n"
)
_ENV = (
    "version: 1\nenvironments:\n  prod:\n    platform: {platform}\n"
    "    kafka: {{bootstrap_servers: 'k:9092'}}\n"
)


def _on_platforms(ctx: Context) -> Iterator[tuple[Profile, tuple[Environment, ...]]]:
    """Each platform other than Apache Kafka that the checked environments name, with those environments."""
    named: dict[str, list[Environment]] = {}
    for env in ctx.environments:
        if env.platform != DEFAULT:
            named.setdefault(env.platform, []).append(env)
    for name, envs in sorted(named.items()):
        yield profile(name), tuple(envs)


def _envs(envs: tuple[Environment, ...]) -> str:
    names = ", ".join(f"'{e.name}'" for e in envs)
    return f"environment {names}" if len(envs) == 1 else f"environments {names}"


def _configs(
    ctx: Context, envs: tuple[Environment, ...]
) -> Iterator[tuple[str, Mapping[str, object], partial[Location], str, tuple[Environment, ...]]]:
    """(key, config, where, whose, the environments that use this value) for the topics' configs and
    these environments' overrides.config. A topic's value is not used where an override replaces it."""
    for topic in ctx.topics:
        for key in topic.config:
            using = tuple(e for e in envs if key not in e.overrides.config)
            if using:
                yield key, topic.config, partial(topic.loc, "config", key), f"topic '{topic.name}'", using
    for env in envs:
        for key in env.overrides.config:
            where = partial(env.loc, "overrides", "config", key)
            yield key, env.overrides.config, where, f"environment '{env.name}' overrides", (env,)


@rule(
    "platform-config-not-settable",
    "no config the platform refuses",
    severity=Severity.ERROR,
    message="a topic sets a config that the environment's platform does not let users set",
    hint="remove the key (the platform keeps its own value), or plan that topic for another platform",
    doc="""
Managed platforms do not let users set every topic config: Confluent Cloud documents
`compression.type` as not editable, for example. For each environment that names a `platform:` in
kgov.yaml, a topic config (or the environment's `overrides.config` key) its profile lists as not
settable is an error, with the platform's page that says so (docs/platforms.md lists them): the
platform would refuse the creation or the change.
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": _TOPIC.format(rf=3) + "      compression.type: zstd\n",
                "kgov.yaml": _ENV.format(platform="confluent-cloud"),
            },
            line=10,
        ),
        Example(
            True,
            {
                "topics/orders.yaml": _TOPIC.format(rf=3) + "      compression.type: zstd\n",
                "kgov.yaml": _ENV.format(platform="msk"),
            },
        ),
    ),
)
def check_not_settable(ctx: Context) -> Iterator[Finding]:
    for prof, envs in _on_platforms(ctx):
        refused = prof.limits.not_settable
        for key, _, where, whose, using in _configs(ctx, envs):
            fact = refused.get(key)
            if fact is not None:
                yield Finding(
                    where(),
                    f"{whose}: {prof.title} ({_envs(using)}) does not let users set '{key}': "
                    f"{fact.why} ({fact.source.cite()})",
                )


@rule(
    "platform-config-value",
    "config value the platform accepts",
    severity=Severity.ERROR,
    message="a config value is outside what the environment's platform accepts",
    hint="give a value within the platform's documented range",
    doc="""
Some platforms accept a narrower range than Apache Kafka, or other values: Confluent Cloud caps
`delete.retention.ms`, Redpanda's `compression.type` has no `uncompressed`. For each environment
that names a `platform:`, a topic's config value (in Kafka's form, after readable units) outside the
platform's documented range is an error, with the page that says so. Values Kafka itself refuses are
`invalid-config-value`'s.
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": _TOPIC.format(rf=3) + "      delete.retention.ms: 1000d\n",
                "kgov.yaml": _ENV.format(platform="confluent-cloud"),
            },
            line=10,
        ),
        Example(
            True,
            {
                "topics/orders.yaml": _TOPIC.format(rf=3) + "      delete.retention.ms: 700d\n",
                "kgov.yaml": _ENV.format(platform="confluent-cloud"),
            },
        ),
    ),
)
def check_values(ctx: Context) -> Iterator[Finding]:
    for prof, envs in _on_platforms(ctx):
        ranges = prof.limits.ranges
        for key, config, where, whose, using in _configs(ctx, envs):
            accepted = ranges.get(key)
            if accepted is None:
                continue
            try:
                value = normalize(key, config[key])
            except ConfigValueError:
                continue  # invalid-config-value reports it
            problem = accepted.refuses(value)
            fact = prof.fact("topic_configs.ranges", key)
            if problem is not None and fact is not None:
                yield Finding(
                    where(),
                    f"{whose}: {key}: {problem} on {prof.title} ({_envs(using)}): "
                    f"{fact.why} ({fact.source.cite()})",
                )


@rule(
    "platform-topic-shape",
    "partitions and replicas the platform accepts",
    severity=Severity.ERROR,
    message="a topic's partitions or replication factor is one the environment's platform refuses",
    hint="change the count to one the platform accepts",
    doc="""
Limits a platform documents on a topic's shape, for each environment that names a `platform:`:
Redpanda requires an odd replication factor; a profile may give a maximum number of partitions per
topic, or over all the catalog's topics of the environment (none of the profiles kgov ships has a
documented, unconditional partition limit yet: they depend on a cluster type or plan kgov.yaml does
not say). Counts are the environment's (its `overrides` applied).
""",
    examples=(
        Example(
            False,
            {"topics/orders.yaml": _TOPIC.format(rf=2), "kgov.yaml": _ENV.format(platform="redpanda")},
            line=7,
        ),
        Example(
            True,
            {"topics/orders.yaml": _TOPIC.format(rf=3), "kgov.yaml": _ENV.format(platform="redpanda")},
        ),
    ),
)
def check_shape(ctx: Context) -> Iterator[Finding]:
    for prof, envs in _on_platforms(ctx):
        limits = prof.limits
        for env in envs:
            yield from _shape(ctx.topics, prof, env)
        if limits.max_partitions_per_cluster is None:
            continue
        for env in envs:
            total = sum(_count(t.partitions, env.overrides.partitions) for t in ctx.topics)
            most = limits.max_partitions_per_cluster
            if total > most:
                yield Finding(
                    env.loc("platform"),
                    f"environment '{env.name}': the catalog's topics have {total} partitions, above "
                    f"{prof.title}'s {most}{_cite(prof, 'max_partitions_per_cluster')}",
                )


def _count(own: int, override: int | None) -> int:
    return own if override is None else override


def _cite(prof: Profile, key: str) -> str:
    fact = prof.fact("limits", key)
    return "" if fact is None else f": {fact.why} ({fact.source.cite()})"


def _shape(topics: tuple[Topic, ...], prof: Profile, env: Environment) -> Iterator[Finding]:
    limits, ov = prof.limits, env.overrides
    on = f"{prof.title} (environment '{env.name}')"
    if limits.odd_replication_factor:
        if ov.replication_factor is not None:
            if ov.replication_factor % 2 == 0:
                yield Finding(
                    env.loc("overrides", "replication_factor"),
                    f"environment '{env.name}': overrides.replication_factor {ov.replication_factor} is even "
                    f"on {on}{_cite(prof, 'odd_replication_factor')}",
                )
        else:
            for t in topics:
                if t.replication_factor % 2 == 0:
                    yield Finding(
                        t.loc("replication_factor"),
                        f"topic '{t.name}': replication factor {t.replication_factor} is even "
                        f"on {on}{_cite(prof, 'odd_replication_factor')}",
                    )
    most = limits.max_partitions_per_topic
    if most is None:
        return
    if ov.partitions is not None:
        if ov.partitions > most:
            yield Finding(
                env.loc("overrides", "partitions"),
                f"environment '{env.name}': overrides.partitions {ov.partitions} is above the maximum of "
                f"{most} per topic on {on}{_cite(prof, 'max_partitions_per_topic')}",
            )
        return
    for t in topics:
        if t.partitions > most:
            yield Finding(
                t.loc("partitions"),
                f"topic '{t.name}': {t.partitions} partitions is above the maximum of {most} per topic "
                f"on {on}{_cite(prof, 'max_partitions_per_topic')}",
            )


@rule(
    "platform-managed-config",
    "no config the platform manages",
    severity=Severity.WARNING,
    message="a topic sets a config that the environment's platform manages (kgov ignores it there)",
    hint="remove the key from the topic: on that platform kgov neither sets nor resets it",
    doc="""
A platform's profile lists topic config keys the platform itself manages or that are its own
(Confluent Cloud's `confluent.*`, Redpanda's `redpanda.*`, Aiven's `remote.storage.enable` on a
tiered-storage service): for environments on that platform kgov neither sets nor resets them, as with
`ownership.ignore_configs`. A topic that sets one says two contradictory things.
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": _TOPIC.format(rf=3) + "      remote.storage.enable: true\n",
                "kgov.yaml": _ENV.format(platform="aiven"),
            },
            line=10,
        ),
        Example(
            True,
            {
                "topics/orders.yaml": _TOPIC.format(rf=3) + "      remote.storage.enable: true\n",
                "kgov.yaml": _ENV.format(platform="apache"),
            },
        ),
    ),
)
def check_managed(ctx: Context) -> Iterator[Finding]:
    for prof, envs in _on_platforms(ctx):
        patterns = prof.ignore_topic_configs
        for key, _, where, whose, using in _configs(ctx, envs):
            pattern = next((p for p in patterns if ignored_config(key, (p,))), None)
            fact = None if pattern is None else prof.fact("topic_configs.ignore", pattern)
            if fact is not None:
                yield Finding(
                    where(),
                    f"{whose}: '{key}' is managed by {prof.title} ({_envs(using)}), so kgov neither sets "
                    f"nor resets it there: {fact.why} ({fact.source.cite()})",
                )
