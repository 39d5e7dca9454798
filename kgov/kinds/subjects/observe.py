"""What the registry holds of the subjects in a plan's scope, in batched reads.

One listing, then for each subject in scope that exists: its latest version and its effective
level; every version of those whose desired level is transitive; and the versions their references
point at. Subjects outside the scope (not named, not in an owned prefix, or protected) are never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kgov.cluster.registry.port import RegisteredSchema, SchemaRegistry
from kgov.kinds.ownership import TopicScope
from kgov.plan.model import JSON

MAX_REFERENCE_DEPTH = 8


@dataclass(frozen=True)
class ObservedSubjects:
    latest: Mapping[str, RegisteredSchema]  # subjects in scope that exist
    levels: Mapping[str, str]
    history: Mapping[str, tuple[RegisteredSchema, ...]] = field(default_factory=dict)  # transitive ones
    referenced: Mapping[tuple[str, int], RegisteredSchema] = field(default_factory=dict)

    def to_json(self) -> JSON:
        return {
            "subjects": {
                s: {"version": r.version, "id": r.id, "level": self.levels.get(s)}
                for s, r in sorted(self.latest.items())
            },
            "history": {s: [r.id for r in h] for s, h in sorted(self.history.items())},
        }

    def version(self, subject: str, number: int) -> RegisteredSchema | None:
        for schema in (*self.history.get(subject, ()), self.latest.get(subject)):
            if schema is not None and schema.version == number:
                return schema
        return self.referenced.get((subject, number))


def subject_scope(scope: JSON) -> TopicScope:
    return TopicScope(tuple(scope["names"]), tuple(scope["prefixes"]), tuple(scope["protected"]))


def observe_subjects(registry: SchemaRegistry, scope: JSON) -> ObservedSubjects:
    covered = subject_scope(scope)
    named = frozenset(covered.names)
    present = [s for s in registry.subjects() if covered.covers(s, named)]
    found = registry.latest(present)
    latest = {s: r for s, r in found.items() if r is not None}
    levels = dict(registry.levels(sorted(latest)))
    transitive = [s for s in scope.get("transitive", ()) if s in latest]
    history = {s: tuple(v) for s, v in registry.versions(transitive).items()}
    observed = ObservedSubjects(latest, levels, history)
    referenced: dict[tuple[str, int], RegisteredSchema] = {}
    asked = {(s.subject, s.version) for s in [*latest.values(), *(v for h in history.values() for v in h)]}
    for _ in range(MAX_REFERENCE_DEPTH):  # references of references, level by level
        schemas = [*latest.values(), *(v for h in history.values() for v in h), *referenced.values()]
        wanted = sorted({(r.subject, r.version) for s in schemas for r in s.references} - asked)
        if not wanted:
            break
        asked.update(wanted)
        referenced.update(registry.schema_at(wanted))
        observed = ObservedSubjects(latest, levels, history, dict(referenced))
    return observed
