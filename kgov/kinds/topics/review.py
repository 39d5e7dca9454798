"""`kgov diff --base` for topics: why a topic change matters, and where the topic is written.

The rules read the topics' desired JSON (`before`/`after`, None when absent) and the two catalogs:
a partition count that falls breaks, one that grows moves keys of a keyed or compacted topic, a
replication factor change is a throttled reassignment (attention), a cleanup policy switch and a
retention cut lose or change what consumers read.
"""

from __future__ import annotations

from kgov.catalog.model import Catalog, Topic
from kgov.diagnostics import Location
from kgov.kinds.reasons import ATTENTION, BREAKING, SAFE, Reason
from kgov.kinds.topics.capacity import above, above_message, storage
from kgov.plan.model import JSON

_RETENTION_DEFAULTS = {"retention.ms": 604800000, "retention.bytes": -1}


def topic_of(catalog: Catalog, name: str) -> Topic | None:
    return next((t for t in catalog.topics() if t.name == name), None)


def _config(spec: JSON, key: str) -> str | None:
    value = (spec or {}).get("config", {}).get(key)
    return None if value is None else str(value)


def _limit(spec: JSON, key: str) -> float:
    raw = _config(spec, key)
    value = int(raw) if raw is not None and raw.lstrip("-").isdigit() else _RETENTION_DEFAULTS[key]
    return float("inf") if value < 0 else float(value)


def _compacted(spec: JSON) -> bool:
    return "compact" in (_config(spec, "cleanup.policy") or "delete")


def topic_reasons(name: str, before: JSON, after: JSON, head: Catalog, base: Catalog) -> list[Reason]:
    """The change's reasons, and attention when it crosses the head's policy.capacity threshold."""
    reasons = _reasons(name, before, after, head)
    limit = head.settings.policy.capacity
    if after is not None and limit.max_bytes_at_retention is not None:
        sized = storage(name, before, after)
        if above(sized, limit.max_bytes_at_retention):
            blocks = " (kgov plan blocks it)" if limit.on_exceed == "block" else ""
            message = above_message(sized, limit.max_bytes_at_retention)
            reasons.append(Reason("capacity-threshold", ATTENTION, f"{message}{blocks}"))
    return reasons


def _reasons(name: str, before: JSON, after: JSON, head: Catalog) -> list[Reason]:
    if after is None:
        return [Reason("topic-deleted", BREAKING, f"topic {name} is removed: deleting it loses its data")]
    if before is None:
        return [Reason("topic-added", SAFE, f"new topic {name}")]
    reasons: list[Reason] = []
    old_p, new_p = before["partitions"], after["partitions"]
    if new_p < old_p:
        reasons.append(
            Reason(
                "partitions-decreased", BREAKING, f"partitions {old_p} → {new_p}: Kafka cannot decrease them"
            )
        )
    elif new_p > old_p:
        topic = topic_of(head, name)
        keyed = topic is not None and topic.key_schema is not None
        if keyed or _compacted(after) or _compacted(before):
            why = "keyed" if keyed else "compacted"
            reasons.append(
                Reason(
                    "partitions-increased-keyed",
                    ATTENTION,
                    f"partitions {old_p} → {new_p} on a {why} topic: keys move to other partitions "
                    "(per-key order and compaction across the change break)",
                )
            )
        else:
            reasons.append(Reason("partitions-increased", SAFE, f"partitions {old_p} → {new_p}"))
    if before["replication_factor"] != after["replication_factor"]:
        reasons.append(
            Reason(
                "replication-factor-changed",
                ATTENTION,
                f"replication factor {before['replication_factor']} → {after['replication_factor']}: "
                "carried out by a throttled partition reassignment (data is copied between brokers)",
            )
        )
    if _compacted(before) != _compacted(after):
        reasons.append(
            Reason(
                "cleanup-policy-switched",
                BREAKING,
                f"cleanup.policy {_config(before, 'cleanup.policy') or 'delete (default)'} → "
                f"{_config(after, 'cleanup.policy') or 'delete (default)'}: what consumers read changes",
            )
        )
    for key in _RETENTION_DEFAULTS:
        if _limit(after, key) < _limit(before, key):
            reasons.append(
                Reason(
                    "retention-cut",
                    BREAKING,
                    f"{key} {_config(before, key) or 'default'} → {_config(after, key) or 'default'}: "
                    "data older or larger than the new limit is deleted",
                )
            )
    if not reasons:
        reasons.append(Reason("topic-reconfigured", SAFE, f"topic {name} reconfigured"))
    return reasons


def topic_location(catalog: Catalog, name: str) -> Location | None:
    """The topic's entry (its `name`) in its topics file."""
    topic = topic_of(catalog, name)
    return topic.loc("name") if topic is not None else None
