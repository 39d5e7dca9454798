"""Read every ACL binding in one request; keep what the diff needs (managed principals in scope)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kgov.bindings import BY_FIELDS, Binding
from kgov.cluster.kafka.port import KafkaAdmin


@dataclass(frozen=True)
class AclScope:
    principals: tuple[str, ...]  # managed: what the catalog declares in this environment
    topics: tuple[str, ...]  # the catalog's topics: unmanaged bindings on them are named

    def to_json(self) -> dict[str, list[str]]:
        return {"principals": list(self.principals), "topics": list(self.topics)}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> AclScope:
        return cls(tuple(doc["principals"]), tuple(doc["topics"]))


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
    return ObservedAcls.of(scope, kafka.describe_acls())
