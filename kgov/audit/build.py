"""Assemble the audit: from one read of the cluster, or (--catalog-only) from the catalog alone.

It names no kind: the access matrix, the data-flow graph and usage are built from the facts the
kinds lend (`LendsAuditFacts`: live topics, ACL bindings), and each kind that finds violations
(`FindsViolations`) is asked in the kinds' order, with that cross-kind view."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from kgov import __version__
from kgov.audit.graph import data_flow
from kgov.audit.model import Audit
from kgov.audit.usage import read_usage
from kgov.bindings import Binding
from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.engine.audit_read import read_cluster
from kgov.kinds import KINDS
from kgov.kinds.access_matrix import access_matrix
from kgov.kinds.base import (
    AuditFacts,
    AuditView,
    Backends,
    DiffContext,
    FindsViolations,
    Kind,
    LendsAuditFacts,
    Violation,
)
from kgov.kinds.tables import LendsAuditTables
from kgov.state import TopicSpec


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _merged(lent: Iterable[AuditFacts]) -> AuditFacts:
    """The kinds' facts in their order (a later kind's topic of the same name wins)."""
    topics: dict[str, TopicSpec] = {}
    bindings: list[Binding] = []
    for facts in lent:
        topics.update(facts.topics)
        bindings.extend(facts.bindings)
    return AuditFacts(topics, tuple(bindings))


def _view(catalog: Catalog, facts: AuditFacts) -> AuditView:
    return AuditView(catalog, facts, access_matrix(facts.bindings, facts.topics))


def audit_cluster(
    catalog: Catalog, env_name: str, backends: Backends, kinds: Sequence[Kind] = KINDS
) -> Audit:
    read = read_cluster(catalog, env_name, backends, kinds)
    view = _view(
        catalog,
        _merged(
            k.kind.audit_facts(k.desired, k.observed, k.unmanaged)
            for k in read.kinds
            if isinstance(k.kind, LendsAuditFacts)
        ),
    )
    violations = [
        v
        for k in read.kinds
        if isinstance(k.kind, FindsViolations)
        for v in k.kind.violations(k.observed, k.unmanaged, read.ctx, view)
    ]
    tables = tuple(
        (k.kind.name, table)
        for k in read.kinds
        if isinstance(k.kind, LendsAuditTables)
        for table in k.kind.audit_tables(read.ports[k.kind.backend], k.desired, k.observed, read.ctx)
    )
    live = view.facts.topics
    kafka = read.ports.get("kafka")
    window = read.ctx.settings.ownership.retire_window_ms  # idle longer: a candidate to retire
    found, said = (
        read_usage(kafka, {n: t.partitions for n, t in live.items()}, window, read.ports.get("reassign"))
        if kafka
        else (None, [])
    )
    return Audit(
        environment=read.ctx.environment.name,
        source="cluster",
        created_at=_now(),
        kgov_version=__version__,
        drift=tuple(e for k in read.kinds for e in k.entries),
        unmanaged=tuple(u for k in read.kinds for u in k.unmanaged),
        violations=tuple(violations),
        matrix=view.matrix,
        graph=data_flow(view.matrix, view.facts.bindings),
        warnings=(*read.warnings, *said),
        kinds=tuple((k.kind.name, k.kind.title) for k in read.kinds),
        usage=found,
        tables=tables,
    )


def audit_catalog(catalog: Catalog, env_name: str, kinds: Sequence[Kind] = KINDS) -> Audit:
    """Matrix and graph from what the catalog declares (the bindings it derives); nothing is read
    from a cluster, so the kinds lend their desired state and check only the access matrix."""
    env = environment(catalog, env_name)
    ctx = DiffContext(env, catalog.settings, allow_delete=False)
    view = _view(
        catalog,
        _merged(
            k.audit_facts(k.desired(catalog, env), None, ()) for k in kinds if isinstance(k, LendsAuditFacts)
        ),
    )
    violations: list[Violation] = [
        v for k in kinds if isinstance(k, FindsViolations) for v in k.violations(None, (), ctx, view)
    ]
    return Audit(
        environment=env.name,
        source="catalog",
        created_at=_now(),
        kgov_version=__version__,
        violations=tuple(violations),
        matrix=view.matrix,
        graph=data_flow(view.matrix, view.facts.bindings),
    )
