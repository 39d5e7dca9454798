"""The broker-settings kind: the cluster-wide dynamic broker defaults and per-broker overrides of
catalog/cluster/<environment>.yaml (addresses `broker.default` and `broker.<id>`).

An environment without a cluster file has no broker settings: nothing is read, nothing planned.
With one, the cluster default and every live broker are compared (only their dynamic overrides)
and written with IncrementalAlterConfigs. The kind runs first in a plan and in apply: the cluster's
own settings are the ground the topics and grants stand on. In `kgov audit` it reports, from the
same read, the settings that let clients go around the catalog (governance.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.catalog.resolve import own_user
from kgov.cluster.kafka.broker_port import BrokerConfigPort
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.diagnostics import Location
from kgov.errors import PlanError
from kgov.kinds.audit_scope import WidensAuditRead
from kgov.kinds.base import (
    PHASE_USERS,
    AuditView,
    ChecksRights,
    DiffContext,
    FindsViolations,
    Locates,
    Snapshotting,
    Unmanaged,
    Violation,
)
from kgov.kinds.brokers import governance
from kgov.kinds.brokers.apply import apply_settings, settings_visible
from kgov.kinds.brokers.desired import DesiredSettings, desired_settings, settings_location
from kgov.kinds.brokers.diff import KIND, diff_settings
from kgov.kinds.brokers.observe import ObservedSettings, observe_settings
from kgov.kinds.rights import require_on_cluster
from kgov.plan.model import JSON, Entry


class BrokerKind(ChecksRights, Snapshotting, Locates, FindsViolations, WidensAuditRead):
    name = KIND
    title = "broker settings"
    backend = "kafka"
    # first: a broker setting (a cluster default such as message.max.bytes) is in place before the
    # topics, users and grants of the same apply (the phase's kinds run in the registry's order)
    order: Mapping[str, int] = {"update": PHASE_USERS}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, DesiredSettings]:
        return desired_settings(catalog, env)

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        return {"managed": bool(desired)}

    def observe(self, backend: BrokerConfigPort, scope: JSON) -> ObservedSettings:
        return observe_settings(backend, bool(scope["managed"]), bool(scope.get("governance")))

    def state_json(self, observed: ObservedSettings) -> JSON:
        return observed.to_json()

    def diff(
        self, desired: Mapping[str, Any], observed: ObservedSettings, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        return diff_settings(desired, observed, ctx)

    def check_rights(self, backend: KafkaAdmin, entries: Sequence[Entry]) -> None:
        require_on_cluster(backend, "ALTER_CONFIGS", "change broker settings")

    def apply(self, backend: BrokerConfigPort, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        return apply_settings(backend, entries)

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        return {"managed": True}

    def visible(self, entry: Entry, observed: ObservedSettings) -> bool:
        return settings_visible(entry, observed)

    # -- snapshots: the whole read is saved (no secret: sensitive values are never returned) ------
    def snapshot_scope(self, scope: JSON) -> JSON:
        return {"managed": True}  # read even when this catalog has no cluster file: a change may add one

    def state_from_json(self, doc: JSON) -> ObservedSettings:
        return ObservedSettings.from_json(doc)

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> ObservedSettings:
        if not scope["managed"]:
            return ObservedSettings()
        if not taken.get("managed"):
            raise PlanError("the snapshot holds no broker settings; take a new one with this kgov")
        return ObservedSettings.from_json(state)

    # -- `kgov diff --base`: a change is located in its cluster file -------------------------------
    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        return settings_location(catalog, name, value)

    # -- the audit: governance bypasses in what observe read (nothing more is read) ----------------
    def audit_scope(self, scope: JSON) -> JSON:
        return {**scope, "governance": True}  # read the brokers' settings even without a cluster file

    def violations(
        self,
        observed: ObservedSettings | None,
        unmanaged: Sequence[Unmanaged],
        ctx: DiffContext,
        view: AuditView,
    ) -> list[Violation]:
        if observed is None or observed.configs is None:  # --catalog-only, or no cluster file: nothing read
            return []
        return governance.findings(observed.configs, view.catalog, ctx.environment, own_user(ctx.environment))
