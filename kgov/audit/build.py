"""Assemble the audit: from one read of the cluster, or (--catalog-only) from the catalog alone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from kgov import __version__
from kgov.audit import policy
from kgov.audit.graph import data_flow
from kgov.audit.matrix import access_matrix
from kgov.audit.model import Audit
from kgov.audit.usage import read_usage
from kgov.bindings import Binding
from kgov.catalog.grants import desired_bindings
from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.engine.audit_read import read_cluster
from kgov.kinds.base import Backends
from kgov.state import TopicSpec


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _classes(catalog: Catalog) -> dict[str, str | None]:
    return {t.name: t.classification for t in catalog.topics()}


def audit_cluster(catalog: Catalog, env_name: str, backends: Backends) -> Audit:
    read = read_cluster(catalog, env_name, backends)
    unmanaged = tuple(u for k in read.kinds for u in k.unmanaged)
    live: dict[str, TopicSpec] = {}
    topics = read.of("topic")
    if topics is not None:
        live = {n: t for n, t in topics.observed.topics.items() if n in topics.desired}
        for u in topics.unmanaged:
            d = u.detail
            live[u.name] = TopicSpec(u.name, d["partitions"], d["replication_factor"], d["config"])
    acls = read.of("acl")
    bindings: Iterable[Binding] = acls.observed.bindings if acls is not None else ()
    matrix = access_matrix(bindings, live)
    settings = catalog.settings
    violations = (
        policy.naming([u.name for u in unmanaged if u.kind == "topic"], settings.policy)
        + policy.durability(
            sorted(live.values(), key=lambda t: t.name),
            settings.policy,
            environment(catalog, env_name).overrides,
        )
        + policy.broad_pii_access(matrix, _classes(catalog))
        + [v for k in read.kinds for v in k.violations]
    )
    kafka = read.ports.get("kafka")
    found, said = read_usage(kafka, {n: t.partitions for n, t in live.items()}) if kafka else (None, [])
    return Audit(
        environment=environment(catalog, env_name).name,
        source="cluster",
        created_at=_now(),
        kgov_version=__version__,
        drift=tuple(e for k in read.kinds for e in k.entries),
        unmanaged=unmanaged,
        violations=tuple(violations),
        matrix=matrix,
        graph=data_flow(matrix, bindings),
        warnings=(*read.warnings, *said),
        kinds=tuple((k.kind.name, k.kind.title) for k in read.kinds),
        usage=found,
    )


def audit_catalog(catalog: Catalog, env_name: str) -> Audit:
    """Matrix and graph from the bindings the catalog derives; nothing is read from a cluster."""
    env = environment(catalog, env_name)
    bindings = [b for grants in desired_bindings(catalog, env.name).values() for b in grants]
    matrix = access_matrix(bindings, (t.name for t in catalog.topics()))
    return Audit(
        environment=env.name,
        source="catalog",
        created_at=_now(),
        kgov_version=__version__,
        violations=tuple(policy.broad_pii_access(matrix, _classes(catalog))),
        matrix=matrix,
        graph=data_flow(matrix, bindings),
    )
