"""Governance: a broker-settings file (catalog/cluster/<env>.yaml) that lets clients go around the catalog.

The same settings `kgov audit` reports on the live brokers (kgov/kinds/brokers/governance.py; the
rules share their ids with the audit's findings, docs/audit.md), here when the file SETS one to the
value that bypasses the catalog, at its key in `settings:` or a broker's `settings:`. Whether a key can
be set at all (several are static, read-only to the admin API) is the broker-settings rules' concern:
these say only what the value would mean for governance.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kgov.catalog.grants import principal_for
from kgov.catalog.model import ClusterFile, Environment
from kgov.diagnostics import Location, Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule

_ENV = (
    "version: 1\nenvironments:\n  prod:\n"
    "    kafka: {bootstrap_servers: 'k:9093', security_protocol: SASL_SSL}\n"
)
_FILE = "cluster/prod.yaml"


def _example(passes: bool, settings: str, line: int | None = 2) -> Example:
    """kgov.yaml with environment prod (SASL_SSL) and its cluster file setting `settings` (line 2 on)."""
    return Example(
        passes, {_FILE: f"settings:\n{settings}", "kgov.yaml": _ENV}, line=None if passes else line
    )


def _files(ctx: Context) -> Iterator[tuple[Environment, ClusterFile]]:
    for env in ctx.environments:
        cluster = ctx.catalog.cluster_files.get(env.name)
        if cluster is not None:
            yield env, cluster


def _set(cluster: ClusterFile) -> Iterator[tuple[str, Mapping[str, object], Location, str]]:
    """(key, the mapping it is in, where the key's value is, "" or " for broker N") of every setting."""
    for key in cluster.settings:
        yield key, cluster.settings, cluster.loc("settings", key), ""
    for broker_id, override in sorted(cluster.brokers.items()):
        for key in override.settings:
            yield key, override.settings, override.loc("settings", key), f" for broker {broker_id}"


def _text(value: object) -> str:
    """A value as written, in Kafka's words: YAML's true is 'true'."""
    return str(value).lower() if isinstance(value, bool) else str(value).strip()


def _true(value: object) -> bool:
    return _text(value).lower() == "true"


def _boolean_rule(ctx: Context, key: str, why: str) -> Iterator[Finding]:
    for env, cluster in _files(ctx):
        for name, settings, where, scope in _set(cluster):
            if name == key and _true(settings[name]):
                yield Finding(where, f"environment '{env.name}'{scope}: {key} true {why}")


@rule(
    "auto-create-topics",
    "clients do not create topics",
    severity=Severity.ERROR,
    message="the cluster file lets clients create topics (auto.create.topics.enable: true)",
    hint="set auto.create.topics.enable to false (or leave it out) and declare topics in topics/",
    doc="""
With `auto.create.topics.enable` true, a client that produces to, consumes from or asks metadata for a
topic that does not exist creates it, with the broker's defaults, outside the catalog and its review:
a typo in a client becomes a topic. Reported where `settings:` (or a broker's `settings:`) of
`catalog/cluster/<env>.yaml` sets it to true; `kgov audit` reports it on the live brokers too.
""",
    examples=(
        _example(False, "  auto.create.topics.enable: true\n"),
        _example(True, "  auto.create.topics.enable: false\n"),
    ),
)
def check_auto_create(ctx: Context) -> Iterator[Finding]:
    yield from _boolean_rule(
        ctx, "auto.create.topics.enable", "lets any client create topics outside the catalog's review"
    )


@rule(
    "allow-everyone-if-no-acl",
    "a resource without ACLs is closed",
    severity=Severity.ERROR,
    message="the cluster file opens every resource without ACLs (allow.everyone.if.no.acl.found: true)",
    hint="set allow.everyone.if.no.acl.found to false (Kafka's default) and grant access in acls/",
    doc="""
With `allow.everyone.if.no.acl.found` true, every topic, consumer group or other resource that has no
ACL is open to every client: a topic the catalog's acls files do not mention is public, not
protected. Reported where the cluster file sets it to true. On the live cluster Kafka hides this
setting's value, so `kgov audit` reports a broker that sets it at all.
""",
    examples=(
        _example(False, "  allow.everyone.if.no.acl.found: 'true'\n"),
        _example(True, "  allow.everyone.if.no.acl.found: false\n"),
    ),
)
def check_allow_everyone(ctx: Context) -> Iterator[Finding]:
    yield from _boolean_rule(
        ctx,
        "allow.everyone.if.no.acl.found",
        "opens every resource that has no ACL to every client",
    )


@rule(
    "unclean-leader-election",
    "no unclean leader election",
    severity=Severity.ERROR,
    message="the cluster file allows unclean leader election (unclean.leader.election.enable: true)",
    hint="set unclean.leader.election.enable to false; a topic that accepts losing records sets it itself",
    doc="""
With `unclean.leader.election.enable` true at cluster level, a replica that is not in sync may become
leader of any topic that does not say otherwise, and the records it lacks are lost for good, whatever
the topic's `min.insync.replicas` promised.
""",
    examples=(
        _example(False, "  unclean.leader.election.enable: true\n"),
        _example(True, "  unclean.leader.election.enable: false\n"),
    ),
)
def check_unclean(ctx: Context) -> Iterator[Finding]:
    yield from _boolean_rule(
        ctx, "unclean.leader.election.enable", "lets a replica that is not in sync lead, losing records"
    )


@rule(
    "delete-topic-enable",
    "topic deletion is a reviewed change",
    severity=Severity.WARNING,
    message="the cluster file enables topic deletion (delete.topic.enable: true)",
    hint="leave it out, and grant DELETE on topics to no client in acls/",
    doc="""
With `delete.topic.enable` true (Kafka's default), any principal with DELETE on a topic, and every
super user, can delete it and its data outside the catalog's review; kgov itself deletes only owned
topics, with `ownership.delete` and `--allow-delete`. Writing it in the cluster file says so
explicitly: this warning asks to make sure no client holds DELETE on topics. `kgov audit` reports the
live value (as information).
""",
    examples=(
        _example(False, "  delete.topic.enable: true\n"),
        _example(True, "  delete.topic.enable: false\n"),
    ),
)
def check_delete_topic(ctx: Context) -> Iterator[Finding]:
    yield from _boolean_rule(
        ctx, "delete.topic.enable", "lets any principal with DELETE on a topic delete it and its data"
    )


@rule(
    "min-insync-default",
    "the cluster default keeps two copies",
    severity=Severity.WARNING,
    message="the cluster file sets min.insync.replicas 1 where topics have more replicas",
    hint="set min.insync.replicas to 2 at cluster level (the catalog's topics set their own)",
    doc="""
A cluster-level `min.insync.replicas` of 1 with a `default.replication.factor` above 1 lets a topic
created without its own `min.insync.replicas` (by a client, or auto-created) acknowledge writes held
by one replica, and lose them with it. Reported where the file sets `min.insync.replicas` to 1 and the
same `settings:` block sets no `default.replication.factor` of 1.
""",
    examples=(
        _example(False, "  min.insync.replicas: 1\n  default.replication.factor: 3\n"),
        _example(True, "  min.insync.replicas: 1\n  default.replication.factor: 1\n"),
        _example(True, "  min.insync.replicas: 2\n"),
    ),
)
def check_min_isr(ctx: Context) -> Iterator[Finding]:
    for env, cluster in _files(ctx):
        for name, settings, where, scope in _set(cluster):
            if name != "min.insync.replicas" or _text(settings[name]) != "1":
                continue
            factor = settings.get("default.replication.factor")
            if factor is not None and _text(factor) == "1":
                continue
            rf = (
                f"default.replication.factor {_text(factor)}"
                if factor is not None
                else "any replication factor above 1"
            )
            yield Finding(
                where,
                f"environment '{env.name}'{scope}: min.insync.replicas 1 with {rf}: a topic created "
                "without its own acknowledges writes held by one replica",
            )


@rule(
    "super-users",
    "the catalog's principals obey their ACLs",
    severity=Severity.ERROR,
    message="the cluster file makes an everyone principal, or one the catalog gives ACLs, a super user",
    hint="remove it from super.users: grant what it needs in its acls file",
    doc="""
Every principal in `super.users` bypasses every ACL. The principals the cluster file names there are
the ones the catalog accepts as super users (`kgov audit` reports the others it finds on the brokers),
except two kinds, reported here: `User:ANONYMOUS` or `User:*` (every client of a listener without
authentication, or everyone), and a principal an acls file declares, whose ACLs would then not be
enforced.
""",
    examples=(
        _example(False, "  super.users: User:kgov;User:ANONYMOUS\n"),
        Example(
            False,
            {
                _FILE: "settings:\n  super.users: User:kgov;User:orders\n",
                "kgov.yaml": _ENV,
            },
            line=2,
        ),
        _example(True, "  super.users: User:kgov;User:ops\n"),
    ),
)
def check_super_users(ctx: Context) -> Iterator[Finding]:
    for env, cluster in _files(ctx):
        declared = {principal_for(af, env.name): af.service for af in ctx.catalog.access_files}
        for name, settings, where, scope in _set(cluster):
            if name != "super.users":
                continue
            for principal in (p.strip() for p in _text(settings[name]).split(";")):
                if principal in ("User:ANONYMOUS", "User:*"):
                    yield Finding(
                        where,
                        f"environment '{env.name}'{scope}: super.users names {principal}: every client "
                        + ("of a listener without authentication" if principal == "User:ANONYMOUS" else "")
                        + " would bypass every ACL",
                    )
                elif principal in declared:
                    yield Finding(
                        where,
                        f"environment '{env.name}'{scope}: super.users names {principal}, whose ACLs "
                        f"(service '{declared[principal]}') would then not be enforced",
                    )


_AUTHENTICATED = ("SASL_PLAINTEXT", "SASL_SSL", "SSL")


@rule(
    "unauthenticated-listener",
    "every client listener authenticates",
    severity=Severity.ERROR,
    message="the cluster file adds a PLAINTEXT listener where the environment authenticates its clients",
    hint="map the listener to SASL_SSL, SASL_PLAINTEXT or SSL (with client certificates), or drop it",
    doc="""
A listener whose protocol is PLAINTEXT authenticates no one: every client that reaches it is
`User:ANONYMOUS`. Where the environment's `kafka.security_protocol` is SASL_PLAINTEXT, SASL_SSL or
SSL, a `listeners` value with such a listener, or a `listener.security.protocol.map` mapping a client
listener to PLAINTEXT, is reported (the controller's listeners, `controller.listener.names` or
`CONTROLLER`, are not clients').
""",
    examples=(
        _example(False, "  listeners: PLAINTEXT://0.0.0.0:9092,SASL_SSL://0.0.0.0:9093\n"),
        _example(False, "  listener.security.protocol.map: CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"),
        _example(True, "  listeners: SASL_SSL://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094\n"),
    ),
)
def check_listeners(ctx: Context) -> Iterator[Finding]:
    for env, cluster in _files(ctx):
        wanted = str(env.kafka.get("security_protocol") or "PLAINTEXT").upper()
        if wanted not in _AUTHENTICATED:
            continue
        for name, settings, where, scope in _set(cluster):
            if name not in ("listeners", "listener.security.protocol.map"):
                continue
            for listener in _plaintext(name, settings):
                yield Finding(
                    where,
                    f"environment '{env.name}'{scope}: listener {listener} is PLAINTEXT (no "
                    f"authentication) while the environment connects with {wanted}",
                )


def _plaintext(name: str, settings: Mapping[str, object]) -> list[str]:
    """The client listeners that `settings[name]` makes PLAINTEXT."""
    mapping = {
        n.strip().upper(): p.strip().upper()
        for n, _, p in (
            x.partition(":") for x in _text(settings.get("listener.security.protocol.map", "")).split(",")
        )
        if n.strip()
    }
    controllers = {
        c.strip().upper() for c in _text(settings.get("controller.listener.names", "CONTROLLER")).split(",")
    }
    if name == "listener.security.protocol.map":
        return [n for n, p in mapping.items() if p == "PLAINTEXT" and n not in controllers]
    out = []
    for listener in (x.strip() for x in _text(settings[name]).split(",")):
        label = listener.partition("://")[0].upper()
        if label and label not in controllers and mapping.get(label, label) == "PLAINTEXT":
            out.append(listener)
    return out
