"""A Plan is pure data: typed actions plus what they were computed from. Versioned JSON both ways.

The JSON (format_version 1) is documented in docs/plan-format.md; every renderer and apply read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

FORMAT_VERSION = 1


@dataclass(frozen=True)
class ConfigChange:
    key: str
    current: str | None  # None: not set explicitly on the cluster (Kafka's default applies)
    desired: str | None  # None: reset to Kafka's default
    default: str | None = None  # Kafka's default, shown when resetting


@dataclass(frozen=True)
class CreateTopic:
    kind: ClassVar[str] = "create_topic"
    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IncreasePartitions:
    kind: ClassVar[str] = "increase_partitions"
    name: str
    current: int
    desired: int


@dataclass(frozen=True)
class AlterTopicConfig:
    kind: ClassVar[str] = "alter_topic_config"
    name: str
    changes: tuple[ConfigChange, ...]


@dataclass(frozen=True)
class DeleteTopic:
    kind: ClassVar[str] = "delete_topic"
    name: str
    partitions: int
    replication_factor: int


@dataclass(frozen=True)
class Blocked:
    """A change kgov will not make; the plan fails until the catalog (or the cluster) is fixed."""

    kind: ClassVar[str] = "blocked"
    name: str
    field: str
    current: str
    desired: str
    reason: str
    hint: str
    resource: str = "topic"


Action = CreateTopic | IncreasePartitions | AlterTopicConfig | DeleteTopic | Blocked
ACTION_TYPES: dict[str, type[Any]] = {
    t.kind: t for t in (CreateTopic, IncreasePartitions, AlterTopicConfig, DeleteTopic, Blocked)
}


@dataclass(frozen=True)
class Scope:
    """Which resources the plan looked at: apply observes the same scope to detect a stale plan."""

    topics: tuple[str, ...]
    prefixes: tuple[str, ...]
    protected: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    environment: str
    scope: Scope
    fingerprint: str
    actions: tuple[Action, ...]
    warnings: tuple[str, ...] = ()
    created_at: str = ""
    kgov_version: str = ""

    @property
    def blocked(self) -> tuple[Blocked, ...]:
        return tuple(a for a in self.actions if isinstance(a, Blocked))

    @property
    def changes(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if not isinstance(a, Blocked))

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def summary(self) -> dict[str, int]:
        changed = {a.name for a in self.actions if isinstance(a, IncreasePartitions | AlterTopicConfig)}
        return {
            "create": sum(isinstance(a, CreateTopic) for a in self.actions),
            "change": len(changed),
            "delete": sum(isinstance(a, DeleteTopic) for a in self.actions),
            "blocked": len(self.blocked),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "kgov_version": self.kgov_version,
            "created_at": self.created_at,
            "environment": self.environment,
            "fingerprint": self.fingerprint,
            "scope": asdict(self.scope),
            "summary": self.summary(),
            "actions": [{"kind": a.kind, **asdict(a)} for a in self.actions],
            "warnings": list(self.warnings),
        }


def plan_from_json(doc: Any) -> Plan:
    """Rebuild a Plan from its JSON; raises ValueError/KeyError/TypeError on a malformed document."""
    if not isinstance(doc, dict):
        raise ValueError("a plan file holds a JSON object")
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(f"plan format_version {version!r} is not {FORMAT_VERSION}")
    actions: list[Action] = []
    for raw in doc["actions"]:
        fields = dict(raw)
        cls = ACTION_TYPES.get(fields.pop("kind"))
        if cls is None:
            raise ValueError(f"unknown action kind {raw.get('kind')!r}")
        if cls is AlterTopicConfig:
            fields["changes"] = tuple(ConfigChange(**c) for c in fields["changes"])
        if cls is CreateTopic:
            fields["config"] = dict(fields["config"])
        actions.append(cls(**fields))
    scope = doc["scope"]
    return Plan(
        environment=str(doc["environment"]),
        scope=Scope(tuple(scope["topics"]), tuple(scope["prefixes"]), tuple(scope["protected"])),
        fingerprint=str(doc["fingerprint"]),
        actions=tuple(actions),
        warnings=tuple(doc.get("warnings", ())),
        created_at=str(doc.get("created_at", "")),
        kgov_version=str(doc.get("kgov_version", "")),
    )
