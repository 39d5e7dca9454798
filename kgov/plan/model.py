"""A Plan is pure data: one entry per resource that changes, plus what it was computed from.

Modelled on Terraform's `resource_changes`. The JSON (format_version 2) is documented in
docs/plan-format.md and described by kgov/plan/plan.schema.json; every renderer and apply read it.
Entries know their kind only by name: nothing here is specific to topics, ACLs or subjects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 2
ACTIONS = ("create", "update", "delete", "blocked")  # the summary's columns
# Every entry action, and the summary column it counts in: a reassignment (the replicas of an existing
# resource move, data is copied) is a change.
COUNTED_AS = {
    "create": "create",
    "update": "update",
    "reassign": "update",
    "delete": "delete",
    "blocked": "blocked",
}

JSON = Any  # plain JSON: dicts, lists, str, int, float, bool, None


@dataclass(frozen=True)
class Change:
    """One field of one resource, as a reviewer reads it: `field | before | after`."""

    field: str  # dotted path: "partitions", "config.retention.ms"
    before: JSON = None  # None: not set (for a config: Kafka's default applies)
    after: JSON = None  # None: unset (for a config: reset to Kafka's default)
    detail: str | None = None  # what the kind does for it: "increase_partitions", "set", "reset"
    default: JSON = None  # the value that applies when unset, when known
    blocked: bool = False  # kgov refuses this change (the entry is blocked)

    def to_json(self) -> dict[str, JSON]:
        return {
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "detail": self.detail,
            "default": self.default,
            "blocked": self.blocked,
        }


@dataclass(frozen=True)
class Entry:
    """What happens to one resource. `before`/`after` are plain JSON and never hold a secret."""

    address: str  # unique in a plan: "<kind>.<name>"
    kind: str
    name: str
    action: str  # one of COUNTED_AS
    before: JSON = None
    after: JSON = None
    changes: tuple[Change, ...] = ()
    reason: str | None = None  # blocked entries: why kgov refuses
    hint: str | None = None  # blocked entries: what to do instead
    group: str | None = None  # renderers list entries under this heading (e.g. a principal)
    label: str | None = None  # one-line human form, when the name alone does not say it
    notes: tuple[str, ...] = ()  # what a reviewer must know ("deletes all its data")

    @property
    def is_change(self) -> bool:
        return self.action != "blocked"

    def to_json(self) -> dict[str, JSON]:
        return {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "changes": [c.to_json() for c in self.changes],
            "reason": self.reason,
            "hint": self.hint,
            "group": self.group,
            "label": self.label,
            "notes": list(self.notes),
        }


def entry_from_json(doc: Mapping[str, JSON]) -> Entry:
    return Entry(
        address=str(doc["address"]),
        kind=str(doc["kind"]),
        name=str(doc["name"]),
        action=str(doc["action"]),
        before=doc.get("before"),
        after=doc.get("after"),
        changes=tuple(Change(**c) for c in doc.get("changes", ())),
        reason=doc.get("reason"),
        hint=doc.get("hint"),
        group=doc.get("group"),
        label=doc.get("label"),
        notes=tuple(doc.get("notes", ())),
    )


@dataclass(frozen=True)
class KindSummary:
    title: str  # "topics": how renderers name the kind, so they need not know it
    managed: int  # resources of the kind the catalog declares
    create: int = 0
    update: int = 0
    delete: int = 0
    blocked: int = 0

    def to_json(self) -> dict[str, JSON]:
        return {
            "title": self.title,
            "managed": self.managed,
            "create": self.create,
            "update": self.update,
            "delete": self.delete,
            "blocked": self.blocked,
        }


@dataclass(frozen=True)
class Scoped:
    """A scoped plan (`kgov plan --base REF`): only these resources, per kind, were planned."""

    base: str  # the git ref compared with
    base_commit: str
    names: Mapping[str, tuple[str, ...]]  # kind -> the names whose catalog entries differ from the base

    def to_json(self) -> dict[str, JSON]:
        return {
            "base": self.base,
            "base_commit": self.base_commit,
            "names": {k: list(v) for k, v in sorted(self.names.items())},
        }


def scoped_from_json(doc: Mapping[str, JSON] | None) -> Scoped | None:
    if doc is None:
        return None
    names = {str(k): tuple(str(n) for n in v) for k, v in doc["names"].items()}
    return Scoped(str(doc["base"]), str(doc["base_commit"]), names)


# A note that starts so is evidence read from the cluster (a delete's consumer groups, lag, last write):
# it informs the reviewer and moves with traffic, so the fingerprint leaves it out (a saved plan stays
# current while its lag moves; a resource that became in use changes the entry's action instead).
EVIDENCE = "Evidence: "


def options_json(allow_delete: bool, allow_delete_active: bool) -> dict[str, JSON]:
    """The plan's options; allow_delete_active only when set, so older plans keep their fingerprint."""
    doc: dict[str, JSON] = {"allow_delete": allow_delete}
    if allow_delete_active:
        doc["allow_delete_active"] = True
    return doc


@dataclass(frozen=True)
class Plan:
    environment: str
    scope: Mapping[str, JSON]  # per kind: what the plan looked at (apply looks at the same)
    state_digest: str  # digest of the observed state of every kind in scope
    fingerprint: str  # digest of environment, options, scope, state_digest and entries
    entries: tuple[Entry, ...]
    summary: Mapping[str, KindSummary]  # per kind, in the registry's order
    allow_delete: bool = False
    allow_delete_active: bool = False  # --allow-delete-active: deletes of resources in use too
    warnings: tuple[str, ...] = ()
    created_at: str = ""
    kgov_version: str = ""
    scoped: Scoped | None = None  # None: a full plan
    # what the changes add in storage (kgov/kinds/base.py SizesChanges): {"line": ..., ...}; None: none
    capacity: Mapping[str, JSON] | None = None

    @property
    def blocked(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.action == "blocked")

    @property
    def changes(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.is_change)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def totals(self) -> dict[str, int]:
        return {a: sum(getattr(s, a) for s in self.summary.values()) for a in ACTIONS}

    def to_json(self) -> dict[str, JSON]:
        return {
            "format_version": FORMAT_VERSION,
            "kgov_version": self.kgov_version,
            "created_at": self.created_at,
            "environment": self.environment,
            "options": options_json(self.allow_delete, self.allow_delete_active),
            "fingerprint": self.fingerprint,
            "state_digest": self.state_digest,
            "scope": dict(self.scope),
            "summary": {kind: s.to_json() for kind, s in self.summary.items()},
            "totals": self.totals(),
            "resource_changes": [e.to_json() for e in self.entries],
            "warnings": list(self.warnings),
            "scoped": self.scoped.to_json() if self.scoped is not None else None,
            # only when there is one, so a plan without capacity reads as before
            **({"capacity": dict(self.capacity)} if self.capacity is not None else {}),
        }


def plan_from_json(doc: Mapping[str, JSON]) -> Plan:
    """Rebuild a Plan from JSON already validated against plan.schema.json."""
    return Plan(
        environment=str(doc["environment"]),
        scope=dict(doc["scope"]),
        state_digest=str(doc["state_digest"]),
        fingerprint=str(doc["fingerprint"]),
        entries=tuple(entry_from_json(e) for e in doc["resource_changes"]),
        summary={k: KindSummary(**v) for k, v in doc["summary"].items()},
        allow_delete=bool(doc["options"]["allow_delete"]),
        allow_delete_active=doc["options"].get("allow_delete_active") is True,
        warnings=tuple(str(w) for w in doc.get("warnings", ())),
        created_at=str(doc.get("created_at", "")),
        kgov_version=str(doc.get("kgov_version", "")),
        scoped=scoped_from_json(doc.get("scoped")),
        capacity=doc.get("capacity"),
    )
