"""Client quotas in a snapshot (`kgov snapshot`, `kgov plan --snapshot`).

The one DescribeClientQuotas reads every quota of the cluster, so the snapshot saves all of them:
a plan of a changed catalog (another principal's quota in a pull request) is answered from it
exactly as `observe_quotas` would have read it, and its fingerprint is the live plan's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kgov.cluster.kafka.quota_port import QuotaEntity, QuotaPort
from kgov.errors import PlanError
from kgov.kinds.quotas.observe import (
    ObservedQuotas,
    QuotaScope,
    entity_from_json,
    entity_json,
    observe_quotas,
    values_json,
)
from kgov.plan.model import JSON


def snapshot_state(port: QuotaPort, scope: JSON) -> JSON:
    seen = observe_quotas(port, QuotaScope.from_json(scope))
    return {
        "unread": seen.unread,
        "quotas": [
            {"entity": entity_json(e), "quotas": values_json(seen.quotas[e])}
            for e in sorted(seen.quotas, key=QuotaEntity.sort_key)
        ],
    }


def state_from_json(doc: Mapping[str, Any]) -> ObservedQuotas:
    quotas = {
        entity_from_json(item["entity"]): {str(k): float(v) for k, v in item["quotas"].items()}
        for item in doc["quotas"]
    }
    unread = doc.get("unread")
    return ObservedQuotas(QuotaScope((), (), False, False), quotas, None if unread is None else str(unread))


def from_snapshot(taken: JSON, state: JSON, scope: JSON) -> ObservedQuotas:
    saved = state_from_json(state)
    wanted = QuotaScope.from_json(scope)
    if saved.unread is not None and wanted.declared:
        raise PlanError(
            f"the snapshot could not read the client quotas ({saved.unread}), and this catalog declares some",
            hint="take the snapshot with a login that may describe the cluster's configs",
        )
    return ObservedQuotas(wanted, saved.quotas, saved.unread)
