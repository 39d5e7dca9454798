"""The ACL diff (pure): grants the catalog is missing, grants it no longer makes, and the rest.

A principal is managed when an acls/ file names it (in the environment planned). Its bindings are
exactly what the catalog derives: missing ones are created, others revoked. Bindings of every other
principal are never touched; they are counted, and those touching catalog topics are named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from kgov.bindings import BY_FIELDS, Binding
from kgov.kinds.acl.observe import Row

NAMED_MAX = 20  # unmanaged principals named in warnings; the rest are counted


@dataclass(frozen=True)
class AclDiff:
    creates: tuple[Binding, ...]
    revokes: tuple[Binding, ...]
    unmanaged: int  # bindings of principals the catalog does not declare
    warnings: tuple[str, ...]


def diff_acls(
    desired: Mapping[str, frozenset[Binding]], observed: Iterable[Binding], catalog_topics: frozenset[str]
) -> AclDiff:
    want = set().union(*desired.values()) if desired else set()
    return diff_rows(desired, want, frozenset(map(BY_FIELDS, observed)), catalog_topics)


def diff_rows(
    managed: Iterable[str], desired: Iterable[Binding], have: AbstractSet[Row], catalog_topics: frozenset[str]
) -> AclDiff:
    """diff_acls with the observed bindings as their fields (ObservedAcls.rows): the sets are of
    tuples, compared and sorted in C (a tuple sorts as BY_FIELDS sorts its Binding), and Binding
    objects are made only for what differs. `managed`: the principals the catalog declares."""
    want = set(map(BY_FIELDS, desired))
    principals = set(managed)
    creates = tuple(Binding(*row) for row in sorted(want - have))
    revokes = tuple(Binding(*row) for row in sorted(row for row in have - want if row[0] in principals))
    others = [Binding(*row) for row in have if row[0] not in principals]
    return AclDiff(creates, revokes, len(others), tuple(_warnings(others, catalog_topics)))


def _warnings(others: list[Binding], catalog_topics: frozenset[str]) -> list[str]:
    if not others:
        return []
    principals = {b.principal for b in others}
    out = [
        f"{len(others)} ACL binding(s) of {len(principals)} principal(s) not declared in the catalog "
        "are left alone (kgov never changes them)"
    ]
    touching: dict[str, set[str]] = {}
    for b in others:
        hit = touched_topics(b, catalog_topics)
        if hit:
            touching.setdefault(b.principal, set()).update(hit)
    for principal in sorted(touching)[:NAMED_MAX]:
        names = sorted(touching[principal])
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        out.append(f"unmanaged principal {principal} has ACLs on catalog topics: {shown}")
    if len(touching) > NAMED_MAX:
        out.append(
            f"... and {len(touching) - NAMED_MAX} more unmanaged principals with ACLs on catalog topics"
        )
    return out


def touched_topics(b: Binding, topics: frozenset[str]) -> set[str]:
    """The catalog topics a topic binding applies to (literal name, the `*` wildcard, or a prefix)."""
    if b.resource_type != "topic":
        return set()
    if b.pattern == "literal":
        return set(topics) if b.name == "*" else ({b.name} & topics)
    return {t for t in topics if t.startswith(b.name)}
