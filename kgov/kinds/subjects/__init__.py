"""The subject kind: Schema Registry subjects named by the catalog's topics, their schemas
(new versions only when the meaning changes, checked for compatibility first), their compatibility
levels and their references."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.cluster.registry.port import SchemaRegistry
from kgov.diagnostics import Location
from kgov.kinds.base import (
    PHASE_DELETES,
    PHASE_SUBJECTS,
    AuditView,
    ClassifiesChanges,
    ComparesJson,
    DiffContext,
    FindsUnmanaged,
    FindsViolations,
    Locates,
    Narrows,
    SavesSnapshotState,
    Snapshotting,
    Unmanaged,
    Violation,
)
from kgov.kinds.by_file import NarrowsByFile
from kgov.kinds.evidence import ShowsEvidence
from kgov.kinds.ownership import TopicScope, catalog_scope, protected_patterns
from kgov.kinds.subjects import snapshot
from kgov.kinds.subjects.apply import apply_subjects, subject_visible
from kgov.kinds.subjects.audit import none_levels, unmanaged_subjects
from kgov.kinds.subjects.desired import DesiredSubject, desired_subjects, same_subjects
from kgov.kinds.subjects.diff import diff_subjects
from kgov.kinds.subjects.evidence import subject_evidence
from kgov.kinds.subjects.observe import ObservedSubjects, observe_subjects, subject_scope
from kgov.kinds.subjects.review import subject_location, subject_reasons
from kgov.plan.model import JSON, Entry
from kgov.schemas.model import Level


class SubjectKind(
    Narrows,
    NarrowsByFile,
    ComparesJson,
    FindsUnmanaged,
    FindsViolations,
    Snapshotting,
    SavesSnapshotState,
    ClassifiesChanges,
    Locates,
    ShowsEvidence,
):
    name = "subject"
    title = "subjects"
    backend = "registry"
    order: Mapping[str, int] = {"create": PHASE_SUBJECTS, "update": PHASE_SUBJECTS, "delete": PHASE_DELETES}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, DesiredSubject]:
        return desired_subjects(catalog, env)

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        owned = catalog_scope(catalog, list(desired)).to_json()
        transitive = sorted(
            n for n, d in desired.items() if d.level in Level.__members__ and Level(d.level).transitive
        )
        return {**owned, "transitive": transitive}

    def narrow(self, scope: JSON, names: Sequence[str]) -> JSON:
        """Only `names`: those the catalog names, and those only an owned prefix covers (deletes)."""
        full = subject_scope(scope)
        named = frozenset(full.names)
        kept = sorted(n for n in set(names) if full.covers(n, named) or n in named)
        transitive = sorted(set(scope["transitive"]) & set(kept))
        narrowed = TopicScope(tuple(kept), (), full.protected, exact=True).to_json()
        return {**narrowed, "transitive": transitive}

    def related(self, changed: Set[str], head: Mapping[str, Any], base: Mapping[str, Any]) -> Set[str]:
        """Every subject tied to a changed one by references, either way, on either side: a changed
        subject's referrers register a new version with it, and its compatibility check and theirs
        read the subjects they reference (kgov/kinds/subjects/diff.py). Without references, just
        the changed subjects."""
        ties: dict[str, set[str]] = {}
        for side in (head, base):
            for name, want in side.items():
                for ref in want.references:
                    ties.setdefault(name, set()).add(ref.subject)
                    ties.setdefault(ref.subject, set()).add(name)
        out, todo = set(changed), list(changed)
        while todo:
            for other in ties.get(todo.pop(), ()):
                if other not in out:
                    out.add(other)
                    todo.append(other)
        return out

    def changed_values(
        self, head: Catalog, base: Catalog, envs: tuple[Environment, Environment]
    ) -> tuple[Mapping[str, DesiredSubject], Mapping[str, DesiredSubject]] | None:
        """Nothing to compare when both sides want the same subjects; else compare in full
        (`related` reads both sides' references)."""
        return ({}, {}) if same_subjects(head, base) else None

    def desired_of(
        self, catalog: Catalog, env: Environment, names: Sequence[str]
    ) -> tuple[Mapping[str, DesiredSubject], JSON] | None:
        """Without names, none and the empty scope; else derived in full (levels and references
        tie subjects together)."""
        if names:
            return None
        protected = protected_patterns(catalog.settings.ownership.protected)
        return {}, {**TopicScope((), (), protected, exact=True).to_json(), "transitive": []}

    def desired_json(self, value: DesiredSubject) -> JSON:
        """What `kgov diff --base` compares and shows: the level, the format, the references and a
        digest of the schema's normal form (so whitespace, key order and docs change nothing). The
        schema text is not shown; its compatibility verdict is a reason of its own."""
        digest = hashlib.sha256((value.normal or value.text).encode("utf-8", "surrogateescape")).hexdigest()
        return {
            "format": value.format,
            "compatibility": value.level,
            "references": [f"{r.name} → {r.subject}" for r in value.references],
            "schema": f"sha256:{digest[:12]}",
        }

    def observe(self, backend: SchemaRegistry, scope: JSON) -> ObservedSubjects:
        return observe_subjects(backend, scope)

    def state_json(self, observed: ObservedSubjects) -> JSON:
        return observed.to_json()

    def diff(
        self, desired: Mapping[str, Any], observed: ObservedSubjects, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        return diff_subjects(desired, observed, ctx)

    def evidence(
        self,
        backend: SchemaRegistry,
        entries: Sequence[Entry],
        ctx: DiffContext,
        other: Callable[[str], Any],
        planned: Sequence[Entry],
    ) -> list[Entry]:
        return subject_evidence(other("kafka"), entries, ctx, planned)

    def apply(self, backend: SchemaRegistry, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        return apply_subjects(backend, entries)

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        deleting = any(e.action == "delete" for e in entries)
        return {
            "names": sorted({e.name for e in entries}),
            "prefixes": scope["prefixes"] if deleting else [],
            "protected": scope["protected"],
            "transitive": [],
        }

    def visible(self, entry: Entry, observed: ObservedSubjects) -> bool:
        return subject_visible(entry, observed)

    # -- audit (`kgov audit`): kgov/kinds/subjects/audit.py ---------------------------------------
    def unmanaged(
        self,
        backend: SchemaRegistry,
        desired: Mapping[str, Any],
        observed: ObservedSubjects,
        ctx: DiffContext,
    ) -> list[Unmanaged]:
        return unmanaged_subjects(backend, desired, ctx)

    def violations(
        self,
        observed: ObservedSubjects | None,
        unmanaged: Sequence[Unmanaged],
        ctx: DiffContext,
        view: AuditView,
    ) -> list[Violation]:
        return none_levels(observed, unmanaged, ctx)

    # -- snapshots (`kgov snapshot`, `kgov plan --snapshot`): see kgov/kinds/subjects/snapshot.py -
    def snapshot_scope(self, scope: JSON) -> JSON:
        return scope  # plus the listing of every subject (snapshot_state)

    def snapshot_state(self, backend: SchemaRegistry, scope: JSON) -> JSON:
        return snapshot.snapshot_state(backend, scope)

    def state_from_json(self, doc: JSON) -> ObservedSubjects:
        return snapshot.state_from_json(doc)

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> ObservedSubjects:
        return snapshot.from_snapshot(taken, state, scope)

    def classify(
        self, name: str, before: JSON, after: JSON, head: Catalog, base: Catalog
    ) -> Sequence[tuple[str, str, str]]:
        return [r.triple() for r in subject_reasons(name, before, after, head, base)]

    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        return subject_location(catalog, name)
