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
        managed = self.managed  # sorted once (100,000 bindings: 0.3 s a sort)
        return {"managed": [b.address for b in managed], "unmanaged": len(self.bindings) - len(managed)}


def observe_acls(kafka: KafkaAdmin, scope: AclScope) -> ObservedAcls:
    return ObservedAcls(scope, frozenset(kafka.describe_acls()))
