"""The diff: desired state and observed state → actions. Pure: no I/O, no printing."""

from __future__ import annotations

from collections.abc import Mapping

from kgov.catalog.resolve import DesiredState, DesiredTopic
from kgov.cluster.port import ObservedState, ObservedTopic
from kgov.kafka_configs import TOPIC_CONFIGS, canonical
from kgov.plan.model import (
    Action,
    AlterTopicConfig,
    Blocked,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    IncreasePartitions,
    Scope,
)
from kgov.plan.ownership import is_protected


def diff(
    desired: DesiredState,
    observed: ObservedState,
    scope: Scope,
    *,
    delete_enabled: bool,
    allow_delete: bool,
) -> tuple[tuple[Action, ...], tuple[str, ...]]:
    """Actions that make the cluster match the catalog, and warnings for the reader of the plan."""
    actions: list[Action] = []
    warnings: list[str] = []
    for name in sorted(desired.topics):
        want = desired.topics[name]
        if is_protected(name, scope.protected):
            actions.append(
                Blocked(
                    name,
                    "name",
                    "-",
                    name,
                    f"topic {name} matches a protected pattern "
                    f"({', '.join(scope.protected)}); kgov never creates or changes it",
                    "rename the topic or change ownership.protected in kgov.yaml",
                )
            )
            continue
        have = observed.topics.get(name)
        if have is None:
            actions.append(CreateTopic(name, want.partitions, want.replication_factor, dict(want.config)))
        else:
            actions.extend(_topic_changes(want, have))
    orphans = sorted(n for n in observed.topics if n not in desired.topics)
    for name in orphans:
        have = observed.topics[name]
        if delete_enabled and allow_delete:
            actions.append(DeleteTopic(name, have.partitions, have.replication_factor))
        elif delete_enabled:
            warnings.append(
                f"topic {name} is in an owned prefix but not in the catalog; "
                "plan with --allow-delete to delete it"
            )
        else:
            warnings.append(
                f"topic {name} is in an owned prefix but not in the catalog "
                "(deletes are off: ownership.delete is false)"
            )
    if allow_delete and not delete_enabled:
        warnings.append("--allow-delete has no effect: ownership.delete is false in kgov.yaml")
    return tuple(actions), tuple(warnings)


def _topic_changes(want: DesiredTopic, have: ObservedTopic) -> list[Action]:
    out: list[Action] = []
    if want.replication_factor != have.replication_factor:
        out.append(
            Blocked(
                want.name,
                "replication_factor",
                str(have.replication_factor),
                str(want.replication_factor),
                "changing the replication factor needs a partition reassignment, which kgov does not do",
                "keep replication_factor at its current value, or reassign partitions with "
                "kafka-reassign-partitions.sh and then update the catalog",
            )
        )
    if want.partitions < have.partitions:
        out.append(
            Blocked(
                want.name,
                "partitions",
                str(have.partitions),
                str(want.partitions),
                "Kafka cannot decrease a topic's partition count; deleting and recreating it loses its data",
                f"set partitions back to {have.partitions} (or more), or migrate to a new topic",
            )
        )
    elif want.partitions > have.partitions:
        out.append(IncreasePartitions(want.name, have.partitions, want.partitions))
    changes = _config_changes(want.config, have.config)
    if changes:
        out.append(AlterTopicConfig(want.name, changes))
    return out


def _config_changes(desired: Mapping[str, str], have: Mapping[str, str]) -> tuple[ConfigChange, ...]:
    """Desired values are normalised already; the cluster's are normalised here, so `7d` never
    diffs against `604800000`. A key only on the cluster is drift and gets reset."""
    current = {k: canonical(k, v) for k, v in have.items()}
    changes = []
    for key in sorted(set(desired) | set(current)):
        if key in desired:
            if current.get(key) != desired[key]:
                changes.append(ConfigChange(key, current.get(key), desired[key]))
        else:
            default = TOPIC_CONFIGS[key].default if key in TOPIC_CONFIGS else None
            changes.append(ConfigChange(key, current[key], None, default))
    return tuple(changes)
