"""One read of the cluster for the audit: plan's read path (kgov/engine/observe.py: the backends
read at once, each through a port whose whole-cluster reads are made once, so a kind's `unmanaged`
hook re-asks them for free), then the diff and the `unmanaged` hook, kind by kind. What the audit
makes of them (facts, the access matrix, violations) is kgov/audit/build.py's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.engine.observe import Ports, ToRead, observe_all
from kgov.kinds import KINDS
from kgov.kinds.audit_scope import WidensAuditRead
from kgov.kinds.base import Backends, DiffContext, FindsUnmanaged, Kind, Unmanaged
from kgov.plan.model import Entry


@dataclass(frozen=True)
class KindRead:
    kind: Kind
    desired: Mapping[str, Any]
    observed: Any
    entries: tuple[Entry, ...]
    unmanaged: tuple[Unmanaged, ...]


@dataclass(frozen=True)
class ClusterRead:
    kinds: tuple[KindRead, ...]  # in the kinds' order; a kind with no connection is left out
    warnings: tuple[str, ...]
    ports: Mapping[str, Any]  # the caching proxies, by backend name
    ctx: DiffContext


def read_cluster(
    catalog: Catalog, env_name: str, backends: Backends, kinds: Sequence[Kind] = KINDS
) -> ClusterRead:
    env = environment(catalog, env_name)
    ctx = DiffContext(env, catalog.settings, allow_delete=False)
    ports = Ports(backends)
    reads: list[ToRead] = []
    # In the kinds' order: a kind with no connection is a warning where its read would be.
    steps: list[ToRead | str] = []
    for kind in kinds:
        desired = kind.desired(catalog, env)
        port = ports.get(kind.backend)
        if port is None:
            steps.append(
                f"{kind.title} not audited: environment '{env.name}' has no {kind.backend} connection"
            )
            continue
        scope = kind.scope(desired, catalog)
        if isinstance(kind, WidensAuditRead):
            scope = kind.audit_scope(scope)
        reads.append(ToRead(kind, desired, port, scope))
        steps.append(reads[-1])
    observed_all = observe_all(reads)
    found: list[KindRead] = []
    warnings: list[str] = []
    for step in steps:
        if isinstance(step, str):
            warnings.append(step)
            continue
        read, observed = next(observed_all)
        kind, desired, port = read.kind, read.desired, read.port
        entries, said = kind.diff(desired, observed, ctx)
        warnings.extend(said)
        extra = kind.unmanaged(port, desired, observed, ctx) if isinstance(kind, FindsUnmanaged) else []
        found.append(KindRead(kind, desired, observed, tuple(entries), tuple(extra)))
    return ClusterRead(tuple(found), tuple(warnings), ports.proxies, ctx)
