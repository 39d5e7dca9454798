"""What a catalog change is, for a reviewer: per resource, the rows that change and why they matter.

Pure data with a versioned JSON form (docs/diff.md, "Formats"); renderers read the JSON only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The classes and Reason sit below the review, where the kinds' own review rules can say them.
from kgov.kinds.reasons import ATTENTION as ATTENTION
from kgov.kinds.reasons import BREAKING as BREAKING
from kgov.kinds.reasons import CLASSES as CLASSES
from kgov.kinds.reasons import SAFE as SAFE
from kgov.kinds.reasons import Reason as Reason
from kgov.plan.model import JSON

FORMAT_VERSION = 1


def worst(classes: list[str] | tuple[str, ...]) -> str:
    return max(classes, key=CLASSES.index, default=SAFE)


@dataclass(frozen=True)
class Row:
    field: str  # dotted: "partitions", "config.retention.ms"
    before: JSON = None  # None: not set
    after: JSON = None

    def to_json(self) -> dict[str, JSON]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Where:
    file: str
    line: int = 1
    col: int = 1

    def to_json(self) -> dict[str, JSON]:
        return {"file": self.file, "line": self.line, "column": self.col}


@dataclass(frozen=True)
class ResourceChange:
    address: str  # "topic.orders.created", "settings.ownership.delete"
    kind: str  # a kind's name, or "settings" for kgov.yaml
    name: str
    action: str  # "add" | "remove" | "change"
    environments: tuple[str, ...]  # where it changes (empty: not environment-specific)
    rows: tuple[Row, ...]
    reasons: tuple[Reason, ...]
    where: Where
    label: str | None = None  # one-line human form, when the name alone does not say it
    # the desired JSON compared (before, after; None: absent), for sizing; not in the JSON form
    values: tuple[JSON, JSON] | None = field(default=None, compare=False, repr=False)

    @property
    def level(self) -> str:
        return worst([r.level for r in self.reasons])

    def to_json(self) -> dict[str, JSON]:
        return {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "label": self.label,
            "action": self.action,
            "class": self.level,
            "environments": list(self.environments),
            "changes": [r.to_json() for r in self.rows],
            "reasons": [r.to_json() for r in self.reasons],
            "location": self.where.to_json(),
        }


@dataclass(frozen=True)
class Review:
    base: str  # the ref as given
    base_commit: str
    environments: tuple[str, ...]  # compared
    changes: tuple[ResourceChange, ...]
    # per environment compared ("" when none): what its changes take in storage (docs/capacity.md)
    capacity: tuple[tuple[str, JSON], ...] = ()

    def counts(self) -> dict[str, int]:
        return {c: sum(ch.level == c for ch in self.changes) for c in CLASSES}

    @property
    def level(self) -> str | None:
        return worst([c.level for c in self.changes]) if self.changes else None

    def to_json(self) -> dict[str, JSON]:
        return {
            "format_version": FORMAT_VERSION,
            "base": self.base,
            "base_commit": self.base_commit,
            "environments": list(self.environments),
            "summary": {**self.counts(), "total": len(self.changes)},
            "changes": [c.to_json() for c in self.changes],
            **({"capacity": [{"environment": e, **c} for e, c in self.capacity]} if self.capacity else {}),
        }
