"""Observe the cluster for a desired state and diff: the read-only half of plan and apply."""

from __future__ import annotations

from datetime import UTC, datetime

from kgov import __version__
from kgov.catalog.model import Ownership
from kgov.catalog.resolve import DesiredState
from kgov.cluster.observe import observe
from kgov.cluster.port import ClusterReader
from kgov.plan.diff import diff
from kgov.plan.model import Plan
from kgov.plan.ownership import scope_of


def make_plan(
    desired: DesiredState, reader: ClusterReader, ownership: Ownership, *, allow_delete: bool
) -> Plan:
    scope = scope_of(desired, ownership.protected)
    observed = observe(reader, scope)
    actions, warnings = diff(
        desired, observed, scope, delete_enabled=ownership.delete, allow_delete=allow_delete
    )
    return Plan(
        environment=desired.environment.name,
        scope=scope,
        fingerprint=observed.fingerprint(),
        actions=actions,
        warnings=warnings,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        kgov_version=__version__,
    )
