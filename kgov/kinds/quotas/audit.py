"""The effective client quota in `kgov audit`: for each managed principal and each client id it
uses, the value of each quota key that applies and the entity it comes from (Kafka's precedence,
effective.py).

The client ids a principal uses: those its catalog quotas name, and those of the members of the
consumer groups its acls file reads, from one DescribeGroups per group coordinator (the quota
port's group_client_ids; a group's members do not say their principal, so a group two services
share lends its client ids to both). A row "(any other)" is every other client id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kgov.cluster.kafka.quota_port import QuotaPort
from kgov.kinds.base import DiffContext, FindsUnmanaged, Unmanaged
from kgov.kinds.quotas.desired import DesiredQuotas, Principal
from kgov.kinds.quotas.effective import effective
from kgov.kinds.quotas.observe import ObservedQuotas, entity_json, values_json
from kgov.kinds.tables import AuditTable, LendsAuditTables
from kgov.quota_values import QUOTA_KEYS, readable

OTHER = "(any other)"
NONE = "none (unlimited)"
COLUMNS = ("principal", "client id", *QUOTA_KEYS)


def effective_table(
    principals: Mapping[str, Principal], observed: ObservedQuotas, group_ids: Mapping[str, frozenset[str]]
) -> AuditTable:
    rows: list[tuple[str, ...]] = []
    for user, p in sorted(principals.items()):
        ids = sorted({*p.client_ids, *(c for g in p.consumer_groups for c in group_ids.get(g, ()))})
        for client_id in [*ids, None]:
            applied = effective(observed.quotas, user, client_id)
            cells = [
                NONE
                if a.value is None or a.entity is None
                else f"{readable(k, a.value)} from {a.entity.name}"
                for k, a in applied.items()
            ]
            rows.append((p.principal, OTHER if client_id is None else client_id, *cells))
    return AuditTable(
        "Effective client quotas",
        COLUMNS,
        tuple(rows),
        "Per managed principal and client id, the quota that applies to each key and the entity it "
        "comes from, by the precedence Kafka applies (user and client id first, the client-id default last).",
    )


def unmanaged_quotas(observed: ObservedQuotas) -> list[Unmanaged]:
    """The quotas no plan compares: other users', client-id entities, defaults the catalog leaves."""
    return [
        Unmanaged(
            "quota",
            entity.name,
            f"{entity.name}: " + ", ".join(f"{k} {readable(k, v)}" for k, v in sorted(values.items())),
            {"entity": entity_json(entity), "quotas": values_json(values)},
        )
        for entity, values in sorted(observed.quotas.items(), key=lambda kv: kv[0].sort_key())
        if not observed.scope.covers(entity)
    ]


class AuditsQuotas(LendsAuditTables, FindsUnmanaged):
    def unmanaged(
        self, backend: QuotaPort, desired: Mapping[str, Any], observed: ObservedQuotas, ctx: DiffContext
    ) -> list[Unmanaged]:
        return unmanaged_quotas(observed)

    def audit_tables(
        self, backend: QuotaPort, desired: Mapping[str, Any], observed: ObservedQuotas, ctx: DiffContext
    ) -> list[AuditTable]:
        principals = desired.principals if isinstance(desired, DesiredQuotas) else {}
        if not principals or observed.unread is not None:
            return []
        groups = sorted({g for p in principals.values() for g in p.consumer_groups})
        return [effective_table(principals, observed, backend.group_client_ids(groups))]
