"""The access matrix: principal x topic → produce / consume / admin, with the bindings behind each.

Computed from bindings as Kafka's authorizer matches them: a literal name, the literal `*` (every
topic), or a prefix. A deny for a right wins over any allow. The wildcard principal `User:*` is its
own row (it applies to every principal). Hosts are kept in the binding's label.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from kgov.audit.model import RIGHTS, Cell, Matrix
from kgov.bindings import Binding

WILDCARD = "*"
WILDCARD_PRINCIPAL = "User:*"
_RIGHTS_OF: dict[str, tuple[str, ...]] = {
    "WRITE": ("produce",),
    "READ": ("consume",),
    "ALTER": ("admin",),
    "ALTER_CONFIGS": ("admin",),
    "DELETE": ("admin",),
    "CREATE": ("admin",),
    "ALL": RIGHTS,
}


def matching_topics(b: Binding, topics: Sequence[str], index: dict[str, int]) -> Sequence[str]:
    """The topics (sorted) a topic binding covers."""
    if b.pattern == "prefixed":
        start = bisect.bisect_left(topics, b.name)
        end = start
        while end < len(topics) and topics[end].startswith(b.name):
            end += 1
        return topics[start:end]
    if b.name == WILDCARD:
        return topics
    return (b.name,) if b.name in index else ()


def access_matrix(bindings: Iterable[Binding], topics: Iterable[str]) -> Matrix:
    names = sorted(set(topics))
    index = {n: i for i, n in enumerate(names)}
    allow: dict[tuple[str, str], dict[str, list[str]]] = {}
    deny: dict[tuple[str, str], dict[str, list[str]]] = {}
    for b in sorted(bindings, key=_order):  # a key, not dataclass comparisons: 10,000s of bindings
        rights = _RIGHTS_OF.get(b.operation)
        if b.resource_type != "topic" or not rights:
            continue
        into = allow if b.permission == "allow" else deny
        label = b.label
        for topic in matching_topics(b, names, index):
            cell = into.setdefault((b.principal, topic), {})
            for right in rights:
                cell.setdefault(right, []).append(label)
    cells = tuple(
        Cell(principal, topic, _rights(allow.get((principal, topic))), _rights(deny.get((principal, topic))))
        for principal, topic in sorted(allow.keys() | deny.keys())
    )
    principals = tuple(sorted({c.principal for c in cells}))
    return Matrix(principals, tuple(names), cells)


def _order(b: Binding) -> tuple[str, ...]:
    return (b.principal, b.resource_type, b.pattern, b.name, b.operation, b.permission, b.host)


def _rights(found: dict[str, list[str]] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((r, tuple(found[r])) for r in RIGHTS if r in found) if found else ()
