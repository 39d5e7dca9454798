"""Read every ACL binding in one request; keep what the diff needs (managed principals in scope).

A scoped plan (`kgov plan --base`) reads only the changed bindings (`AclScope.only`, addresses):
the bindings of the managed principals they can belong to, one DescribeAcls each, or one full read
when they are more than PRINCIPALS_MAX (the requests never grow with the catalog); then keeps
exactly those addresses, so the diff sees what a full plan's diff sees of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kgov.bindings import BY_FIELDS, Binding
from kgov.cluster.kafka.port import KafkaAdmin

# Above this many principals to read, a scoped plan reads every binding once instead.
PRINCIPALS_MAX = 16


@dataclass(frozen=True)
class AclScope:
    principals: tuple[str, ...]  # managed: what the catalog declares in this environment
    topics: tuple[str, ...]  # the catalog's topics: unmanaged bindings on them are named
    only: tuple[str, ...] | None = None  # a scoped plan: only the bindings of these addresses

    def to_json(self) -> dict[str, list[str]]:
        doc = {"principals": list(self.principals), "topics": list(self.topics)}
        return doc if self.only is None else {**doc, "only": list(self.only)}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> AclScope:
        only = doc.get("only")
        return cls(tuple(doc["principals"]), tuple(doc["topics"]), None if only is None else tuple(only))

    def narrow(self, addresses: Sequence[str]) -> AclScope:
        """Only `addresses`, and only the managed principals they can belong to (an address is
        `acl.<principal>.<...>`: a principal is a candidate when the address starts with it; a
        binding of a principal the catalog does not manage is left alone, by a full plan too)."""
        only = tuple(sorted(set(addresses)))
        managed, found = frozenset(self.principals), set()
        for address in only:  # each prefix up to a dot: a few lookups an address, whatever the catalog
            dot = address.find(".", 4) if address.startswith("acl.") else -1
            while dot != -1:
                if address[4:dot] in managed:
                    found.add(address[4:dot])
                dot = address.find(".", dot + 1)
        return AclScope(tuple(p for p in self.principals if p in found), (), only)

    def keep(self, bindings: Iterable[Binding]) -> frozenset[Binding]:
        """The bindings within this scope: all of them when it is not narrowed, else those of the
        addresses `only` among the principals read."""
        if self.only is None:
            return frozenset(bindings)
        wanted, managed = frozenset(self.only), frozenset(self.principals)
        return frozenset(b for b in bindings if b.principal in managed and b.address in wanted)


Row = tuple[str, str, str, str, str, str, str]  # a binding's fields in order: BY_FIELDS(binding)


@dataclass(frozen=True)
class ObservedAcls:
    """Every binding read (managed or not), as its fields (`rows`): the diff and the state compare
    and sort those tuples in C; Binding objects are made on demand (`bindings`), in a plan of
    100,000 unchanged bindings from a snapshot never (issue 23)."""

    scope: AclScope
    rows: frozenset[Row]

    @classmethod
    def of(cls, scope: AclScope, bindings: Iterable[Binding]) -> ObservedAcls:
        return cls(scope, frozenset(map(BY_FIELDS, bindings)))

    @cached_property
    def bindings(self) -> frozenset[Binding]:  # all of them, managed or not
        return frozenset(Binding(*row) for row in self.rows)

    @property
    def managed(self) -> list[Binding]:
        principals = set(self.scope.principals)
        return [Binding(*row) for row in sorted(row for row in self.rows if row[0] in principals)]

    def to_json(self) -> dict[str, Any]:
        # Bindings of other principals count, but do not make a saved plan stale.
        principals = set(self.scope.principals)
        keys = ["\0".join(row) for row in self.rows if row[0] in principals]
        if "\0".join(keys).count("\0") == 7 * len(keys) - 1 or not keys:  # no field holds a NUL:
            # the joined fields sort as their tuples do (NUL sorts first), in C: 100,000 managed
            # bindings in half the time of sorting Bindings by BY_FIELDS
            keys.sort()
            addresses = ["acl." + key.replace("\0", ".") for key in keys]  # Binding.address
        else:
            addresses = [b.address for b in self.managed]
        return {"managed": addresses, "unmanaged": len(self.rows) - len(addresses)}


def observe_acls(kafka: KafkaAdmin, scope: AclScope) -> ObservedAcls:
    if scope.only is None:
        return ObservedAcls.of(scope, kafka.describe_acls())
    if len(scope.principals) > PRINCIPALS_MAX:
        return ObservedAcls.of(scope, scope.keep(kafka.describe_acls()))
    return ObservedAcls.of(scope, scope.keep(kafka.describe_acls_of(scope.principals)))
