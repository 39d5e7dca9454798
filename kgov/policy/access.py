"""Access: ACL entries Kafka would reject or that contradict the service's own shorthand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from kgov.bindings import ANY_HOST, CLUSTER_NAME, VALID_OPERATIONS, Binding, is_ip
from kgov.catalog.grants import bindings_for
from kgov.catalog.model import AccessFile, AclEntry
from kgov.diagnostics import Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule

# `User:` then a name: no blank, no control character, no `*` except the wildcard `User:*` alone.
PRINCIPAL = re.compile(r"^User:(\*|[^\s*\x00-\x1f\x7f]([^*\x00-\x1f\x7f]*[^\s*\x00-\x1f\x7f])?)$")
ACL_FILE = "service: orders\nprincipal: User:orders\nproduces: [orders.created]\nacls:\n"


@rule(
    "acl-operation",
    "ACL operations fit their resource",
    severity=Severity.ERROR,
    message="an ACL operation does not apply to its resource type",
    hint="use an operation of that resource type (see the list in the rule's docs)",
    doc="""
Kafka checks each operation on one kind of resource only, so a binding such as READ on the cluster
grants nothing. Valid operations: topic — read, write, create, delete, alter, describe,
describe_configs, alter_configs; group — read, describe, delete, describe_configs, alter_configs;
cluster — create, alter, describe, cluster_action, describe_configs, alter_configs,
idempotent_write; transactional_id — write, describe; `all` everywhere. The cluster resource
has one name, `kafka-cluster`: Kafka refuses any other.
""",
    examples=(
        Example(
            False,
            {
                "acls/orders.yaml": ACL_FILE
                + "  - {resource: cluster, name: kafka-cluster, operations: [read]}\n"
            },
            line=5,
        ),
        Example(
            False,
            {
                "acls/orders.yaml": ACL_FILE
                + "  - {resource: cluster, name: cluster, operations: [describe]}\n"
            },
            line=5,
        ),
        Example(
            True,
            {
                "acls/orders.yaml": ACL_FILE
                + "  - {resource: cluster, name: kafka-cluster, operations: [describe]}\n"
            },
        ),
    ),
)
def check_operations(ctx: Context) -> Iterator[Finding]:
    for entry in _explicit_acls(ctx):
        valid = VALID_OPERATIONS.get(entry.resource, frozenset())
        for j, op in enumerate(entry.operations):
            if op.upper() not in valid:
                yield Finding(
                    entry.loc("operations", j), f"{op} does not apply to a {entry.resource} resource"
                )
        if entry.resource == "cluster" and entry.name != CLUSTER_NAME:
            yield Finding(
                entry.loc("name"),
                f"the cluster resource is named '{CLUSTER_NAME}', not '{entry.name}'",
                f"write name: {CLUSTER_NAME}",
            )


def _explicit_acls(ctx: Context) -> Iterator[AclEntry]:
    """Every explicit `acls:` entry of every access file."""
    for af in ctx.catalog.access_files:
        yield from af.acls


@rule(
    "acl-principal",
    "principals are well formed",
    severity=Severity.ERROR,
    message="a principal is malformed",
    hint="write User:<name> (no blanks at the ends, no control characters), or 'User:*' for everyone",
    doc="""
A principal is `User:` and a name, as Kafka's authorizer compares it: a name with blanks at its
ends, control characters or a `*` inside never matches a client (the only wildcard is `User:*` as a
whole). Per-environment principals (`principals: {stg: User:orders-stg}`) are checked the same way
and must name environments defined in kgov.yaml.
""",
    examples=(
        Example(False, {"acls/orders.yaml": "service: orders\nprincipal: 'User:ord*'\n"}, line=2),
        Example(
            False,
            {"acls/orders.yaml": "service: orders\nprincipal: User:orders\nprincipals: {stg: 'User: x'}\n"},
            line=3,
        ),
        Example(True, {"acls/orders.yaml": "service: orders\nprincipal: 'User:CN=orders,OU=services'\n"}),
    ),
)
def check_principals(ctx: Context) -> Iterator[Finding]:
    envs = ctx.catalog.settings.environments
    for af in ctx.catalog.access_files:
        if not PRINCIPAL.match(af.principal):
            yield Finding(af.loc("principal"), f"principal {af.principal!r} is malformed")
        for env, principal in af.principals.items():
            if not PRINCIPAL.match(principal):
                yield Finding(
                    af.loc("principals", env), f"principal {principal!r} of environment '{env}' is malformed"
                )
            elif env not in envs:
                yield Finding(
                    af.loc("principals", env),
                    f"principals names environment '{env}', which kgov.yaml does not define",
                    "use one of: " + (", ".join(sorted(envs)) or "(none defined)"),
                )


@rule(
    "acl-host",
    "ACL hosts are IP addresses",
    severity=Severity.ERROR,
    message="an ACL host is neither an IP address nor '*'",
    hint="write the client's IP address (Kafka compares addresses, never host names), or '*'",
    doc="""
Kafka matches an ACL's host against the client's IP address as a string: a host name or a CIDR
range never matches anything, so the grant is silently useless (and a deny silently absent).
""",
    examples=(
        Example(
            False,
            {
                "acls/orders.yaml": ACL_FILE
                + "  - {resource: group, name: g, operations: [read], host: app1.local}\n"
            },
            line=5,
        ),
        Example(
            True,
            {
                "acls/orders.yaml": ACL_FILE
                + "  - {resource: group, name: g, operations: [read], host: '10.0.0.7'}\n"
            },
        ),
    ),
)
def check_hosts(ctx: Context) -> Iterator[Finding]:
    for entry in _explicit_acls(ctx):
        if entry.host != ANY_HOST and not is_ip(entry.host):
            yield Finding(entry.loc("host"), f"host '{entry.host}' is not an IP address")


@rule(
    "acl-empty-prefix",
    "prefixes are not empty",
    severity=Severity.ERROR,
    message="a prefixed ACL has an empty name",
    hint="write the prefix (e.g. 'orders.'), or use the literal name '*' for every resource",
    doc="""
A `prefixed` pattern with a blank name would cover every resource of its type; Kafka refuses it.
Say so explicitly with the literal `*` when that is meant.
""",
    examples=(
        Example(
            False,
            {
                "acls/orders.yaml": ACL_FILE
                + "  - {resource: topic, name: ' ', pattern: prefixed, operations: [read]}\n"
            },
            line=5,
        ),
        Example(
            True,
            {"acls/orders.yaml": ACL_FILE + "  - {resource: topic, name: '*', operations: [describe]}\n"},
        ),
    ),
)
def check_prefixes(ctx: Context) -> Iterator[Finding]:
    for entry in _explicit_acls(ctx):
        if entry.pattern == "prefixed" and not entry.name.strip():
            yield Finding(entry.loc("name"), "a prefixed pattern with an empty name")


@rule(
    "acl-deny-shadows",
    "denies do not cancel the service's own grants",
    severity=Severity.ERROR,
    message="a deny entry cancels a grant of the same file's shorthand",
    hint="remove the shorthand line or narrow the deny (Kafka's deny always wins over allow)",
    doc="""
In Kafka a matching deny wins over every allow. A deny in a service's `acls:` that covers what its
own `produces`, `consumes`, `consumer_groups` or `transactional_ids` grant leaves that line dead
(from the deny's host, or from everywhere with `*`): one of the two is a mistake.
""",
    examples=(
        Example(
            False,
            {
                "acls/orders.yaml": ACL_FILE + "  - {resource: topic, name: 'orders.', pattern: prefixed,\n"
                "     operations: [write], permission: deny}\n"
            },
            line=5,
        ),
        Example(
            True,
            {
                "acls/orders.yaml": ACL_FILE + "  - {resource: topic, name: 'orders.', pattern: prefixed,\n"
                "     operations: [read], permission: deny}\n"
            },
        ),
    ),
)
def check_shadowing(ctx: Context) -> Iterator[Finding]:
    for af in ctx.catalog.access_files:
        denies = [e for e in af.acls if e.permission == "deny"]
        if not denies:
            continue
        own = sorted(b for b in bindings_for(_shorthand_only(af), af.principal) if b.permission == "allow")
        for entry in denies:
            for op in entry.operations:
                hit = [b for b in own if _covers(entry, op.upper(), b)]
                if hit:
                    names = ", ".join(sorted({b.name for b in hit})[:3])
                    yield Finding(
                        entry.loc(),
                        f"deny {op.upper()} on {entry.resource} {entry.pattern} '{entry.name}' "
                        f"cancels this file's own grant on {names}",
                    )


def _shorthand_only(af: AccessFile) -> AccessFile:
    return replace(af, acls=(), principals={})


def _covers(deny: AclEntry, op: str, grant: Binding) -> bool:
    if deny.resource != grant.resource_type or op not in (grant.operation, "ALL"):
        return False
    if deny.pattern == "literal":
        return deny.name in ("*", grant.name)
    return grant.name.startswith(deny.name)
