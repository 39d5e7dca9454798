"""Shorthand → bindings: what each line of an acls/<service>.yaml grants (docs/catalog.md, "Access").

| shorthand           | resource         | pattern                        | operations        |
| produces            | topic            | literal                        | WRITE, DESCRIBE   |
| consumes            | topic            | literal                        | READ, DESCRIBE    |
| consumer_groups     | group            | literal                        | READ              |
| transactional_ids   | transactional_id | prefixed if it ends in `-`     | WRITE, DESCRIBE   |
| idempotent          | cluster          | literal kafka-cluster          | IDEMPOTENT_WRITE  |
  (the last only without WRITE on any topic: Kafka ≥ 3 grants idempotence with that, KIP-679)
| acls                | as written       | as written                     | as written        |

What the catalog's words mean, so it sits with the catalog: lint (kgov/policy/access.py), the ACL
and user kinds, the audit and `kgov import` all read it, and none of them owns it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kgov.bindings import ANY_HOST, CLUSTER_NAME, Binding
from kgov.catalog.model import AccessFile, Catalog

DEFAULT_ITERATIONS = 4096  # a SCRAM user's iterations when none is given (kafka-configs.sh's default)
PREFIX_MARK = "-"  # a transactional id ending in '-' is a prefix: orders- covers orders-1, orders-eu-7


def principal_for(af: AccessFile, env: str) -> str:
    """The principal of a service in an environment: `principals.<env>` if given, else `principal`."""
    return af.principals.get(env, af.principal)


def bindings_for(af: AccessFile, env: str) -> frozenset[Binding]:
    return frozenset(_bindings(af, principal_for(af, env)))


def _bindings(af: AccessFile, who: str) -> Iterator[Binding]:
    for topic in af.produces:
        yield from _ops(who, "topic", "literal", topic, ("WRITE", "DESCRIBE"))
    for topic in af.consumes:
        yield from _ops(who, "topic", "literal", topic, ("READ", "DESCRIBE"))
    for group in af.consumer_groups:
        yield Binding(who, "group", "literal", group, "READ")
    for tid in af.transactional_ids:
        pattern = "prefixed" if tid.endswith(PREFIX_MARK) else "literal"
        yield from _ops(who, "transactional_id", pattern, tid, ("WRITE", "DESCRIBE"))
    explicit = [
        Binding(who, a.resource, a.pattern, a.name, op.upper(), a.permission, a.host)
        for a in af.acls
        for op in a.operations
    ]
    yield from explicit
    if af.idempotent and not _writes_a_topic(af, explicit):
        yield Binding(who, "cluster", "literal", CLUSTER_NAME, "IDEMPOTENT_WRITE")


def _ops(who: str, rtype: str, pattern: str, name: str, ops: Iterable[str]) -> Iterator[Binding]:
    for op in ops:
        yield Binding(who, rtype, pattern, name, op, "allow", ANY_HOST)


def _writes_a_topic(af: AccessFile, explicit: list[Binding]) -> bool:
    """Kafka ≥ 3 lets a producer be idempotent when it may WRITE some topic (KIP-679)."""
    if af.produces:
        return True
    return any(
        b.resource_type == "topic" and b.permission == "allow" and b.operation in ("WRITE", "ALL")
        for b in explicit
    )


def desired_bindings(catalog: Catalog, env: str) -> dict[str, frozenset[Binding]]:
    """Managed principal → every binding the catalog grants it in the environment."""
    out: dict[str, frozenset[Binding]] = {}
    for af in catalog.access_files:
        who = principal_for(af, env)
        out[who] = out.get(who, frozenset()) | bindings_for(af, env)
    return out
