"""The access matrix: principal x topic → produce / consume / admin, with the bindings behind each.

Computed from bindings as Kafka's authorizer matches them: a literal name, the literal `*` (every
topic), or a prefix. A deny for a right wins over any allow. The wildcard principal `User:*` is its
own row (it applies to every principal). Hosts are kept in the binding's label.

It sits among the kinds, below the audit: `kgov audit` builds it from the facts the kinds lend
(kgov/kinds/base.py `LendsAuditFacts`), and a kind's violations hook reads it (`AuditView`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from kgov.bindings import Binding
from kgov.plan.model import JSON

RIGHTS = ("produce", "consume", "admin")


@dataclass(frozen=True)
class Cell:
    """What one principal may do on one topic; each right names the bindings that grant it."""

    principal: str
    topic: str
    grants: tuple[tuple[str, tuple[str, ...]], ...]  # (right, labels of the allow bindings)
    denied: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (right, labels of the deny bindings)

    def allowed(self, right: str) -> bool:
        return right in self.effective

    @cached_property  # asked for several times per cell, of 10,000s of cells
    def effective(self) -> frozenset[str]:
        """The rights granted and not denied."""
        granted = frozenset(r for r, _ in self.grants)
        return granted - frozenset(r for r, _ in self.denied) if self.denied else granted

    def to_json(self) -> JSON:
        effective = self.effective
        return {
            "principal": self.principal,
            "topic": self.topic,
            "rights": {r: r in effective for r in RIGHTS},
            "grants": {r: list(labels) for r, labels in self.grants},
            "denied": {r: list(labels) for r, labels in self.denied},
        }


@dataclass(frozen=True)
class Matrix:
    principals: tuple[str, ...]
    topics: tuple[str, ...]
    cells: tuple[Cell, ...]  # only the cells where some binding applies

    def to_json(self) -> JSON:
        return {
            "principals": list(self.principals),
            "topics": list(self.topics),
            "cells": [c.to_json() for c in self.cells],
        }


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
