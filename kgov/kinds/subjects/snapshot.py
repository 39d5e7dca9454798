"""Subjects in a snapshot: the names of every subject (one listing), and for those the plan reads
(the catalog's subjects and its owned prefixes) the latest schema, its version and id, the
compatibility level, every version of the transitive ones and the versions they reference.

A plan of a changed catalog takes its own scope out of it, as `observe_subjects` would have read
it; a subject it needs and the snapshot did not read (it exists, but the snapshot's catalog did not
name it), or a history the snapshot lacks (a level made transitive since), stops the plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kgov.cluster.registry.port import RegisteredSchema, SchemaReference, SchemaRegistry
from kgov.errors import PlanError
from kgov.kinds.subjects.observe import ObservedSubjects, observe_subjects, subject_scope
from kgov.plan.model import JSON

AGAIN = "take the snapshot with this catalog: kgov snapshot --catalog <this catalog>"


def _schema(r: RegisteredSchema) -> JSON:
    return {
        "subject": r.subject,
        "version": r.version,
        "id": r.id,
        "type": r.schema_type,
        "schema": r.schema,
        "references": [[x.name, x.subject, x.version] for x in r.references],
    }


def _registered(doc: Mapping[str, Any]) -> RegisteredSchema:
    return RegisteredSchema(
        str(doc["subject"]),
        int(doc["version"]),
        int(doc["id"]),
        str(doc["type"]),
        str(doc["schema"]),
        tuple(SchemaReference(str(n), str(s), int(v)) for n, s, v in doc["references"]),
    )


def snapshot_state(registry: SchemaRegistry, scope: JSON) -> JSON:
    observed = observe_subjects(registry, scope)
    return {
        "listed": sorted(registry.subjects()),
        "latest": {s: _schema(r) for s, r in sorted(observed.latest.items())},
        "levels": dict(sorted(observed.levels.items())),
        "history": {s: [_schema(r) for r in h] for s, h in sorted(observed.history.items())},
        "referenced": [_schema(r) for _, r in sorted(observed.referenced.items())],
    }


def state_from_json(doc: Mapping[str, Any]) -> ObservedSubjects:
    referenced = [_registered(r) for r in doc["referenced"]]
    return ObservedSubjects(
        {str(s): _registered(r) for s, r in doc["latest"].items()},
        {str(s): str(level) for s, level in doc["levels"].items()},
        {str(s): tuple(_registered(r) for r in h) for s, h in doc["history"].items()},
        {(r.subject, r.version): r for r in referenced},
    )


def from_snapshot(taken: JSON, state: Mapping[str, Any], scope: JSON) -> ObservedSubjects:
    saved = state_from_json(state)
    snap, want = subject_scope(taken), subject_scope(scope)
    if set(want.protected) != set(snap.protected):
        raise PlanError(
            "the snapshot was taken with other protected patterns than kgov.yaml has now",
            hint="take a new snapshot with this catalog (kgov snapshot)",
        )
    read, named = frozenset(snap.names), frozenset(want.names)
    latest: dict[str, RegisteredSchema] = {}
    for subject in state["listed"]:
        if not want.covers(subject, named):
            continue
        if not snap.covers(subject, read):
            raise PlanError(
                f"the snapshot has no schema of subject {subject} (it exists, but the catalog the "
                "snapshot was taken with does not name it)",
                hint=AGAIN,
            )
        if subject in saved.latest:  # a subject listed without a version has no latest
            latest[subject] = saved.latest[subject]
    history = {}
    for subject in (s for s in scope.get("transitive", ()) if s in latest):
        if subject not in saved.history:
            raise PlanError(
                f"the snapshot has no version history of subject {subject} (its level was not "
                "transitive when the snapshot was taken)",
                hint=AGAIN,
            )
        history[subject] = saved.history[subject]
    levels = {s: level for s, level in saved.levels.items() if s in latest}
    return ObservedSubjects(latest, levels, history, dict(saved.referenced))
