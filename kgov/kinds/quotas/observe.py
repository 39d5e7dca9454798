"""What the cluster holds: every user and client-id quota, in one DescribeClientQuotas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kgov.cluster.kafka.quota_port import DEFAULT_PART, Part, QuotaEntity, QuotaPort, Quotas, named
from kgov.errors import ClusterError
from kgov.kinds.quotas.desired import DesiredQuotas
from kgov.plan.model import JSON
from kgov.quota_values import kafka_form


@dataclass(frozen=True)
class QuotaScope:
    """What a plan looks at: the managed users (declared in the environment), the users it may
    delete the quotas of (owned), whether the catalog manages the defaults, and whether it declares
    any quota at all (a catalog that declares none does not fail for quotas kgov may not read)."""

    managed: tuple[str, ...]
    owned: tuple[str, ...]
    defaults: bool
    declared: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "managed": list(self.managed),
            "owned": list(self.owned),
            "defaults": self.defaults,
            "declared": self.declared,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> QuotaScope:
        return cls(tuple(doc["managed"]), tuple(doc["owned"]), bool(doc["defaults"]), bool(doc["declared"]))

    def covers(self, entity: QuotaEntity) -> bool:
        """An entity this plan compares: a managed or owned user's, or a default."""
        user = entity.user
        if user is not None and not user.default:
            return user.name in self.managed or user.name in self.owned
        if user is not None:  # user=<default>, with or without a client id
            return self.defaults
        return self.defaults and entity.client_id is not None and entity.client_id.default


@dataclass(frozen=True)
class ObservedQuotas:
    scope: QuotaScope
    quotas: Quotas  # the whole listing (the audit's effective quota reads it all)
    unread: str | None = None  # why the listing could not be read (only when the catalog declares none)

    def in_scope(self) -> dict[str, QuotaEntity]:
        return {e.name: e for e in self.quotas if self.scope.covers(e)}

    def to_json(self) -> JSON:
        found: dict[str, JSON] = {
            name: {"entity": entity_json(e), "quotas": values_json(self.quotas[e])}
            for name, e in sorted(self.in_scope().items())
        }
        return {"unread": self.unread, **found} if self.unread else found


def scope_of(desired: Mapping[str, Any]) -> QuotaScope:
    """The scope from desired_quotas' answer (a plain mapping, e.g. a test's, manages no one)."""
    if not isinstance(desired, DesiredQuotas):
        return QuotaScope((), (), False, bool(desired))
    declared = bool(desired) or desired.defaults
    return QuotaScope(tuple(sorted(desired.principals)), desired.owned, desired.defaults, declared)


def observe_quotas(backend: QuotaPort, scope: QuotaScope) -> ObservedQuotas:
    """One DescribeClientQuotas. When the catalog declares no quota, a failed read (kgov's login
    without DESCRIBE_CONFIGS on the cluster, a kafka-python without the quota messages) is said in
    the plan's warnings instead of stopping a plan that never asked for quotas."""
    try:
        return ObservedQuotas(scope, backend.describe_quotas())
    except ClusterError as exc:
        if scope.declared:
            raise
        return ObservedQuotas(scope, {}, exc.message)


def entity_json(entity: QuotaEntity) -> JSON:
    """Kafka's wire form: [[type, name or null for the default], ...]."""
    parts = (("user", entity.user), ("client-id", entity.client_id))
    return [[kind, None if p.default else p.name] for kind, p in parts if p is not None]


def entity_from_json(doc: Any) -> QuotaEntity:
    parts: dict[str, Part] = {}
    for kind, name in doc:
        parts["user" if kind == "user" else "client_id"] = DEFAULT_PART if name is None else named(str(name))
    return QuotaEntity(**parts)


def values_json(values: Mapping[str, float]) -> dict[str, JSON]:
    return {k: kafka_form(v) for k, v in sorted(values.items())}
