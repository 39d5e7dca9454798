"""The quota kind: Kafka's client quotas (producer and consumer byte rates, request percentage,
controller mutation rate) per principal, per principal and client id, and the defaults.

Desired from the acls files' `quotas:` and the environment's cluster file (desired.py); one
DescribeClientQuotas observes every entity (observe.py); the diff sets, changes and removes keys
(diff.py); apply is one AlterClientQuotas batch (apply.py); the audit shows, per managed principal
and client id, which entity's quota applies by Kafka's precedence (effective.py, audit.py).
The backend is the quota port (kgov/cluster/kafka/quota_port.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.cluster.kafka.quota_port import QuotaPort
from kgov.diagnostics import Location
from kgov.kinds.base import (
    PHASE_DELETES,
    PHASE_GRANTS,
    ChecksRights,
    ComparesJson,
    DiffContext,
    Locates,
    SavesSnapshotState,
    Snapshotting,
)
from kgov.kinds.quotas import snapshot
from kgov.kinds.quotas.apply import apply_quotas, visible
from kgov.kinds.quotas.audit import AuditsQuotas
from kgov.kinds.quotas.desired import DesiredQuota, DesiredQuotas, desired_quotas, locate
from kgov.kinds.quotas.diff import KIND, diff_quotas
from kgov.kinds.quotas.observe import ObservedQuotas, QuotaScope, observe_quotas, scope_of, values_json
from kgov.kinds.rights import require_on_cluster
from kgov.plan.model import JSON, Entry


class ClientQuotas(AuditsQuotas, ChecksRights, ComparesJson, Locates, Snapshotting, SavesSnapshotState):
    name = KIND
    title = "client quotas"
    backend = "quotas"
    # with the grants: a service's limits are in place when it may start producing
    order: Mapping[str, int] = {"create": PHASE_GRANTS, "update": PHASE_GRANTS, "delete": PHASE_DELETES}

    def desired(self, catalog: Catalog, env: Environment) -> DesiredQuotas:
        return desired_quotas(catalog, env)

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        return scope_of(desired).to_json()

    def observe(self, backend: QuotaPort, scope: JSON) -> ObservedQuotas:
        return observe_quotas(backend, QuotaScope.from_json(scope))

    def state_json(self, observed: ObservedQuotas) -> JSON:
        return observed.to_json()

    def diff(
        self, desired: Mapping[str, DesiredQuota], observed: ObservedQuotas, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        return diff_quotas(desired, observed, ctx)

    # -- snapshots: the whole listing (kgov/kinds/quotas/snapshot.py) --------------------------
    def snapshot_scope(self, scope: JSON) -> JSON:
        return scope

    def snapshot_state(self, backend: QuotaPort, scope: JSON) -> JSON:
        return snapshot.snapshot_state(backend, scope)

    def state_from_json(self, doc: JSON) -> ObservedQuotas:
        return snapshot.state_from_json(doc)

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> ObservedQuotas:
        return snapshot.from_snapshot(taken, state, scope)

    def check_rights(self, backend: QuotaPort, entries: Sequence[Entry]) -> None:
        require_on_cluster(backend, "ALTER_CONFIGS", "change client quotas")

    def apply(self, backend: QuotaPort, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        return apply_quotas(backend, entries)

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        return scope

    def visible(self, entry: Entry, observed: ObservedQuotas) -> bool:
        return visible(entry, observed)

    def desired_json(self, value: DesiredQuota) -> JSON:
        """For `kgov diff --base`: the values in Kafka's form, and whose they are."""
        return {"quotas": values_json(value.values), "principal": value.principal}

    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        return locate(catalog, name, value)
