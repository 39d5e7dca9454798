"""The topic kind: topics the catalog declares, their partitions, replication factor and configs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.diagnostics import Location
from kgov.kinds.base import (
    PHASE_DELETES,
    PHASE_TOPICS,
    AuditFacts,
    AuditView,
    ChecksRights,
    ClassifiesChanges,
    DiffContext,
    FindsUnmanaged,
    FindsViolations,
    Imported,
    Imports,
    LendsAuditFacts,
    Locates,
    Narrows,
    Snapshotting,
    Unmanaged,
    Violation,
)
from kgov.kinds.by_file import NarrowsByFile
from kgov.kinds.evidence import ShowsEvidence
from kgov.kinds.ownership import TopicScope, catalog_scope
from kgov.kinds.rights import require_on_topics
from kgov.kinds.sizes import SizesChanges
from kgov.kinds.topics import snapshot
from kgov.kinds.topics.apply import apply_topics, needed_rights, topic_visible
from kgov.kinds.topics.audit import live_topics, topic_violations
from kgov.kinds.topics.capacity import plan_capacity, review_capacity
from kgov.kinds.topics.desired import changed_topic_specs, desired_topics, topic_specs_of
from kgov.kinds.topics.diff import diff_topics
from kgov.kinds.topics.evidence import topic_evidence
from kgov.kinds.topics.imports import import_topics
from kgov.kinds.topics.measure import read_measured, to_measure, with_measured
from kgov.kinds.topics.observe import ObservedTopics, observe_topics
from kgov.kinds.topics.review import topic_location, topic_reasons
from kgov.kinds.topics.unmanaged import unmanaged_topics
from kgov.plan.model import JSON, Entry
from kgov.state import TopicSpec


class TopicKind(
    Narrows,
    NarrowsByFile,
    ChecksRights,
    FindsUnmanaged,
    Snapshotting,
    Imports,
    ClassifiesChanges,
    Locates,
    LendsAuditFacts,
    FindsViolations,
    ShowsEvidence,
    SizesChanges,
):
    name = "topic"
    title = "topics"
    backend = "kafka"
    order: Mapping[str, int] = {"create": PHASE_TOPICS, "update": PHASE_TOPICS, "delete": PHASE_DELETES}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, TopicSpec]:
        return desired_topics(catalog, env)

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        return catalog_scope(catalog, list(desired)).to_json()

    def narrow(self, scope: JSON, names: Sequence[str]) -> JSON:
        """Only `names`: those the catalog names, and those only an owned prefix covers (deletes)."""
        full = TopicScope.from_json(scope)
        named = frozenset(full.names)
        return TopicScope(
            tuple(sorted(n for n in set(names) if full.covers(n, named) or n in named)),
            (),
            full.protected,
            exact=True,
        ).to_json()

    def changed_values(
        self, head: Catalog, base: Catalog, envs: tuple[Environment, Environment]
    ) -> tuple[Mapping[str, TopicSpec], Mapping[str, TopicSpec]] | None:
        return changed_topic_specs(head, base, *envs)

    def desired_of(
        self, catalog: Catalog, env: Environment, names: Sequence[str]
    ) -> tuple[Mapping[str, TopicSpec], JSON] | None:
        specs = topic_specs_of(catalog, env, names)
        # the full scope's names matter only for `names` (kept if named): those found are enough
        return None if specs is None else (specs, self.narrow(self.scope(specs, catalog), names))

    def observe(self, backend: KafkaAdmin, scope: JSON) -> ObservedTopics:
        return observe_topics(backend, TopicScope.from_json(scope))

    def state_json(self, observed: ObservedTopics) -> JSON:
        return observed.to_json()

    def diff(
        self, desired: Mapping[str, Any], observed: ObservedTopics, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        return diff_topics(desired, observed, ctx)

    def evidence(
        self,
        backend: KafkaAdmin,
        entries: Sequence[Entry],
        ctx: DiffContext,
        other: Callable[[str], Any],
        planned: Sequence[Entry],
    ) -> list[Entry]:
        return topic_evidence(backend, entries, ctx, sizes=other("reassign"))

    def check_rights(self, backend: KafkaAdmin, entries: Sequence[Entry]) -> None:
        require_on_topics(backend, needed_rights(entries))

    def apply(self, backend: KafkaAdmin, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        return apply_topics(backend, entries)

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        # re-read only the entries' topics. A deleted topic is listed, never described (it may be gone
        # between the listing and DescribeConfigs): its name is watched as a prefix, which covers it
        # also in a scoped plan, whose scope has no owned prefixes.
        gone = sorted({e.name for e in entries if e.action == "delete"})
        created = sorted({e.name for e in entries if e.action == "create"})
        watched = {
            "names": sorted({e.name for e in entries if e.action != "delete"}),
            "prefixes": [*scope["prefixes"], *gone] if gone else [],
            "protected": scope["protected"],
            "watch": True,
        }
        # a creation shows by its partitions in the listing: its configs need not be read
        return {**watched, "unconfigured": created} if created else watched

    def visible(self, entry: Entry, observed: ObservedTopics) -> bool:
        return topic_visible(entry, observed)

    def capacity(
        self,
        entries: Sequence[Entry],
        observed: ObservedTopics,
        ctx: DiffContext,
        backend: KafkaAdmin | None,
        other: Callable[[str], Any],
    ) -> tuple[list[Entry], JSON | None]:
        limits = ctx.settings.policy.capacity
        wanted = to_measure(entries) if backend is not None else {}
        current = {e.name: e.before for e in entries if e.name in wanted}
        measured = read_measured(backend, other("reassign"), wanted, current) if backend is not None else {}
        found = with_measured(entries, measured, limits)
        held = observed.broker_replicas
        return found, plan_capacity(found, held, limits.max_partitions_per_broker, measured)

    def review_capacity(self, changes: Sequence[tuple[str, JSON, JSON]]) -> JSON | None:
        return review_capacity(changes)

    # -- audit (`kgov audit`): kgov/kinds/topics/unmanaged.py and kgov/kinds/topics/audit.py -------
    def unmanaged(
        self, backend: KafkaAdmin, desired: Mapping[str, Any], observed: ObservedTopics, ctx: DiffContext
    ) -> list[Unmanaged]:
        return unmanaged_topics(backend, desired, ctx)

    def audit_facts(
        self, desired: Mapping[str, Any], observed: ObservedTopics | None, unmanaged: Sequence[Unmanaged]
    ) -> AuditFacts:
        return AuditFacts(topics=live_topics(desired, observed, unmanaged))

    def violations(
        self,
        observed: ObservedTopics | None,
        unmanaged: Sequence[Unmanaged],
        ctx: DiffContext,
        view: AuditView,
    ) -> list[Violation]:
        return topic_violations(observed, unmanaged, ctx, view)

    # -- snapshots (`kgov snapshot`, `kgov plan --snapshot`): see kgov/kinds/topics/snapshot.py ----
    def snapshot_scope(self, scope: JSON) -> JSON:
        return snapshot.snapshot_scope(scope)

    def state_from_json(self, doc: JSON) -> ObservedTopics:
        return snapshot.state_from_json(doc)

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> ObservedTopics:
        return snapshot.from_snapshot(taken, state, scope)

    def classify(
        self, name: str, before: JSON, after: JSON, head: Catalog, base: Catalog
    ) -> Sequence[tuple[str, str, str]]:
        return [r.triple() for r in topic_reasons(name, before, after, head, base)]

    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        return topic_location(catalog, name)

    # -- `kgov import`: see kgov/kinds/topics/imports.py -------------------------------------------
    def import_files(self, backend: KafkaAdmin, catalog: Catalog, env: Environment) -> Imported:
        return import_topics(backend, catalog, env)
