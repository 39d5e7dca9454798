"""Broker settings (catalog/cluster/<environment>.yaml): Kafka 4 broker configs that kgov can set
dynamically where the file sets them, with values Kafka accepts, and secrets only as references.
What Kafka 4 allows where comes from its own jars (kgov/broker_configs.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial

from kgov import broker_configs as known
from kgov.diagnostics import Location, Severity
from kgov.kafka_configs import ConfigValueError
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule
from kgov.secrets import is_reference

_KGOV = "version: 1\nenvironments:\n  local:\n    kafka: {bootstrap_servers: localhost:9092}\n"
_FILE = "cluster/local.yaml"


def _example(passes: bool, text: str, line: int | None = None) -> Example:
    return Example(passes, {"kgov.yaml": _KGOV, _FILE: text}, line=line, file=_FILE)


Setting = tuple[str, Mapping[str, object], Callable[[], Location], str, str]


def _settings(ctx: Context) -> Iterator[Setting]:
    """(key, settings, where the key's value is, whose, level) for every setting of every cluster file
    of the environments linted."""
    linted = {env.name for env in ctx.environments}
    for env, found in sorted(ctx.catalog.cluster_files.items()):
        if env not in linted:
            continue
        for key in found.settings:
            yield (
                key,
                found.settings,
                partial(found.loc, "settings", key),
                "the cluster default",
                known.DEFAULT_LEVEL,
            )
        for broker_id, override in sorted(found.brokers.items()):
            for key in override.settings:
                where = partial(override.loc, "settings", key)
                yield key, override.settings, where, f"broker {broker_id}", known.BROKER_LEVEL


@rule(
    "unknown-broker-config",
    "known broker config",
    severity=Severity.ERROR,
    message="a broker setting is not a Kafka 4 broker config",
    hint="use the broker config names of Kafka's documentation, spelt as Kafka spells them",
    doc="""
Every key under `settings:` of catalog/cluster/<environment>.yaml (and of each broker's overrides)
must be a Kafka 4 broker config, spelt as Kafka spells it; a listener's security config is written
with its prefix (`listener.name.<listener>.ssl.keystore.password`). Kafka itself stores an unknown
key without complaint (no broker reads it): kgov refuses it, with the closest known name.
""",
    examples=(
        _example(False, "settings:\n  log.cleaner.thread: 2\n", line=2),
        _example(True, "settings:\n  log.cleaner.threads: 2\n"),
    ),
)
def check_unknown(ctx: Context) -> Iterator[Finding]:
    for key, _, where, whose, _level in _settings(ctx):
        if key not in known.KGOV_MANAGED and known.lookup(key) is None:
            yield Finding(where(), f"{whose}: {known.problem(key, known.BROKER_LEVEL)}")


@rule(
    "read-only-broker-config",
    "dynamic broker config",
    severity=Severity.ERROR,
    message="a broker setting is read-only in Kafka 4 (server.properties only)",
    hint="set it in each broker's server.properties (a restart), or use its dynamic synonym",
    doc="""
Kafka 4 changes only its dynamic broker configs at runtime; the others (`log.dirs`, `process.roles`,
`log.retention.hours`, …) are read from each broker's server.properties when it starts, and Kafka
refuses them ("Cannot update these configs dynamically"). The finding says why, and names the
dynamic config Kafka reads first when there is one (`log.retention.ms` for `log.retention.hours`).
""",
    examples=(
        _example(False, "settings:\n  log.retention.hours: 72\n", line=2),
        _example(True, "settings:\n  log.retention.ms: 3d\n"),
    ),
)
def check_read_only(ctx: Context) -> Iterator[Finding]:
    for key, _, where, whose, level in _settings(ctx):
        found = known.lookup(key)
        if key not in known.KGOV_MANAGED and found is not None and found.mode == known.READ_ONLY:
            yield Finding(where(), f"{whose}: {known.problem(key, level)}")


@rule(
    "broker-config-level",
    "broker config at its level",
    severity=Severity.ERROR,
    message="a broker config is set where Kafka or kgov does not take it",
    hint="move a per-broker config under brokers: {<id>: {settings: …}}; leave kgov's throttles out",
    doc="""
Kafka 4 takes some dynamic configs only per broker (`listeners`, a listener's SSL and SASL
settings, …) and refuses them as a cluster default; its security configs (`ssl.keystore.password`,
…) only with a listener prefix. The replication throttles
(`leader.replication.throttled.rate`, `follower.replication.throttled.rate`,
`replica.alter.log.dirs.io.max.bytes.per.second`) are set by kgov itself while it changes a
replication factor: the broker settings leave them alone and may not set them.
""",
    examples=(
        _example(False, "settings:\n  listeners: PLAINTEXT://:9092\n", line=2),
        _example(False, "settings:\n  leader.replication.throttled.rate: 1000\n", line=2),
        _example(True, "settings: {}\nbrokers:\n  1: {settings: {num.io.threads: 8}}\n"),
    ),
)
def check_level(ctx: Context) -> Iterator[Finding]:
    for key, _, where, whose, level in _settings(ctx):
        found = known.lookup(key)
        if key in known.KGOV_MANAGED or (found is not None and found.mode != known.READ_ONLY):
            why = known.problem(key, level)
            if why is not None:
                yield Finding(where(), f"{whose}: {why}")


@rule(
    "invalid-broker-config-value",
    "valid broker config value",
    severity=Severity.ERROR,
    message="a broker setting's value is of the wrong type, out of range, or not an allowed value",
    hint="give a value Kafka accepts; durations and sizes may use units (7d, 1h, 256MiB)",
    doc="""
Each broker setting's value is checked as Kafka would (its type, range and allowed values, from
Kafka's own config definitions), as topic configs are. Durations and sizes may be written in
readable units (`7d`, `2MiB`): plan sends them in Kafka's form. A sensitive value is not checked
here: it must be a secret reference (see `broker-secret-literal`).
""",
    examples=(
        _example(False, "settings:\n  log.cleaner.threads: -1\n", line=2),
        _example(False, "settings:\n  compression.type: brotli\n", line=2),
        _example(True, "settings:\n  message.max.bytes: 2MiB\n  log.retention.ms: 7d\n"),
    ),
)
def check_values(ctx: Context) -> Iterator[Finding]:
    for key, settings, where, whose, level in _settings(ctx):
        if known.is_sensitive(key) or known.problem(key, level) is not None:
            continue
        try:
            known.normalize(key, settings[key])
        except ConfigValueError as exc:
            yield Finding(where(), f"{whose}: {key}: {exc}")


@rule(
    "broker-secret-literal",
    "broker secrets as references",
    severity=Severity.ERROR,
    message="a sensitive broker setting is written in clear instead of as a secret reference",
    hint="write it as ${env:NAME} or ${file:PATH}; kgov resolves it only when apply sends it",
    doc="""
A sensitive broker config (a password, a key, a JAAS configuration: Kafka marks them so and never
returns their values) must be a secret reference, `${env:NAME}` or `${file:PATH}`: the catalog is
reviewed and versioned, a secret in it is leaked. kgov resolves the reference only for the request
to Kafka; plans, snapshots and outputs show `(sensitive)`. `always_set` lists the sensitive keys to
set on every apply (their drift cannot be read); it may name only sensitive keys the file sets.
""",
    examples=(
        _example(
            False,
            "settings: {}\nbrokers:\n  1:\n    settings:\n"
            "      listener.name.ssl.ssl.key.password: hunter2\n",
            line=5,
        ),
        _example(
            True,
            "settings: {}\nbrokers:\n  1:\n    settings:\n"
            "      listener.name.ssl.ssl.key.password: ${env:SSL_KEY_PASSWORD}\n",
        ),
    ),
)
def check_secrets(ctx: Context) -> Iterator[Finding]:
    for key, settings, where, whose, _level in _settings(ctx):
        if known.is_sensitive(key) and not is_reference(settings[key]):
            # the value is never quoted: it may be the secret itself
            yield Finding(
                where(), f"{whose}: {key} is sensitive: write it as a ${{env:}} or ${{file:}} reference"
            )
    linted = {env.name for env in ctx.environments}
    for env, found in sorted(ctx.catalog.cluster_files.items()):
        if env not in linted:
            continue
        sensitive = {k for k in found.settings if known.is_sensitive(k)}
        for override in found.brokers.values():
            sensitive |= {k for k in override.settings if known.is_sensitive(k)}
        for index, key in enumerate(found.always_set):
            if key not in sensitive:
                yield Finding(
                    found.loc("always_set", index),
                    f"always_set names '{key}', which is not a sensitive setting of this file "
                    "(only those need setting on every apply: their drift cannot be read)",
                    hint="list only the sensitive keys this file sets",
                )
