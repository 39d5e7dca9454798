"""Read every ACL binding in one request; keep what the diff needs (managed principals in scope)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class ObservedAcls:
    scope: AclScope
    bindings: frozenset[Binding]  # all of them, managed or not

    @property
    def managed(self) -> list[Binding]:
        principals = set(self.scope.principals)
        return sorted((b for b in self.bindings if b.principal in principals), key=BY_FIELDS)

    def to_json(self) -> dict[str, Any]:
        # Bindings of other principals count, but do not make a saved plan stale.
        principals = set(self.scope.principals)
        keys = ["\0".join(BY_FIELDS(b)) for b in self.bindings if b.principal in principals]
        if "\0".join(keys).count("\0") == 7 * len(keys) - 1 or not keys:  # no field holds a NUL:
            # the joined fields sort as their tuples do (NUL sorts first), in C: 100,000 managed
            # bindings in half the time of sorting Bindings by BY_FIELDS
            keys.sort()
            addresses = ["acl." + key.replace("\0", ".") for key in keys]  # Binding.address
        else:
            addresses = [b.address for b in self.managed]
        return {"managed": addresses, "unmanaged": len(self.bindings) - len(addresses)}


def observe_acls(kafka: KafkaAdmin, scope: AclScope) -> ObservedAcls:
    return ObservedAcls(scope, frozenset(kafka.describe_acls()))
