"""One read of the cluster for the audit: the plan's batched observe, kind by kind, through a port
whose whole-cluster reads are made once (a kind's `unmanaged` hook re-asks them for free)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.kinds import KINDS
from kgov.kinds.base import Backends, DiffContext, Kind, Unmanaged, Violation
from kgov.plan.model import Entry
from kgov.plan.reads import ReadOnce


@dataclass(frozen=True)
class KindRead:
    kind: Kind
    desired: Mapping[str, Any]
    observed: Any
    entries: tuple[Entry, ...]
    unmanaged: tuple[Unmanaged, ...]
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class ClusterRead:
    kinds: tuple[KindRead, ...]
    warnings: tuple[str, ...]
    ports: Mapping[str, Any]  # the caching proxies, by backend name

    def of(self, name: str) -> KindRead | None:
        return next((k for k in self.kinds if k.kind.name == name), None)


def read_cluster(
    catalog: Catalog, env_name: str, backends: Backends, kinds: Sequence[Kind] = KINDS
) -> ClusterRead:
    env = environment(catalog, env_name)
    ctx = DiffContext(env, catalog.settings, allow_delete=False)
    ports: dict[str, Any] = {}
    found: list[KindRead] = []
    warnings: list[str] = []
    for kind in kinds:
        desired = kind.desired(catalog, env)
        raw = backends.get(kind.backend)
        if raw is None:
            warnings.append(
                f"{kind.title} not audited: environment '{env.name}' has no {kind.backend} connection"
            )
            continue
        port = ports.setdefault(kind.backend, ReadOnce(raw))
        observed = kind.observe(port, kind.scope(desired, catalog))
        entries, said = kind.diff(desired, observed, ctx)
        warnings.extend(said)
        hook = getattr(kind, "unmanaged", None)
        extra = hook(port, desired, observed, ctx) if callable(hook) else []
        check = getattr(kind, "violations", None)  # kgov/kinds/base.py FindsViolations
        broken = check(observed, extra, ctx) if callable(check) else []
        found.append(KindRead(kind, desired, observed, tuple(entries), tuple(extra), tuple(broken)))
    return ClusterRead(tuple(found), tuple(warnings), ports)
