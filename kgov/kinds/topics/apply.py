"""Apply topic entries in batches: creations, then partition increases, then config changes;
deletions in their own (last) phase. One outcome per address."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.cluster.kafka.port import ConfigOp, KafkaAdmin
from kgov.kafka_configs import canonical
from kgov.kinds.topics.observe import ObservedTopics
from kgov.plan.model import Change, Entry
from kgov.state import TopicSpec

CONFIG = "config."


def _spec(entry: Entry) -> TopicSpec:
    after = entry.after
    return TopicSpec(
        entry.name, int(after["partitions"]), int(after["replication_factor"]), dict(after["config"])
    )


def _partitions(entry: Entry) -> int | None:
    return next((int(c.after) for c in entry.changes if c.detail == "increase_partitions"), None)


def _config_ops(entry: Entry) -> list[ConfigOp]:
    return [
        ConfigOp(c.field[len(CONFIG) :], None if c.after is None else str(c.after))
        for c in entry.changes
        if c.field.startswith(CONFIG)
    ]


def needed_rights(entries: Sequence[Entry]) -> dict[str, set[str]]:
    """Per topic, the operations apply will need on it (a creation's CREATE is not asked: Kafka
    cannot answer for a topic that does not exist yet)."""
    out: dict[str, set[str]] = {}
    for e in entries:
        ops = {"DELETE"} if e.action == "delete" else set()
        if e.action == "update":
            ops |= {"ALTER"} if _partitions(e) is not None else set()
            ops |= {"ALTER_CONFIGS"} if _config_ops(e) else set()
        if ops:
            out[e.name] = ops
    return out


def apply_topics(kafka: KafkaAdmin, entries: Sequence[Entry]) -> Mapping[str, str | None]:
    errors: dict[str, list[str]] = {e.address: [] for e in entries}
    by_name = {e.name: e for e in entries}

    def record(outcome: Mapping[str, str | None], what: str) -> None:
        for name, error in outcome.items():
            if name in by_name and error is not None:
                errors[by_name[name].address].append(f"{what}: {error}" if what else error)

    creates = [_spec(e) for e in entries if e.action == "create"]
    if creates:
        record(kafka.create_topics(creates), "")
    updates = [e for e in entries if e.action == "update"]
    counts = {e.name: n for e in updates if (n := _partitions(e)) is not None}
    if counts:
        record(kafka.create_partitions(counts), "partitions")
    ops = {e.name: o for e in updates if (o := _config_ops(e))}
    if ops:
        record(kafka.alter_topic_configs(ops), "configs")
    deletes = [e.name for e in entries if e.action == "delete"]
    if deletes:
        record(kafka.delete_topics(deletes), "")
    return {address: "; ".join(errs) or None for address, errs in errors.items()}


def topic_visible(entry: Entry, state: ObservedTopics) -> bool:
    topic = state.topics.get(entry.name)
    if entry.action == "delete":
        return topic is None
    if topic is None:
        return False
    if entry.action == "create":
        return topic.partitions == int(entry.after["partitions"])
    have = {k: canonical(k, v) for k, v in topic.config.items()}
    wanted = _partitions(entry)
    # A reset shows as the key gone, or (a platform that reports its own default as an override,
    # kgov/platforms.py) as the default the change names.
    return (wanted is None or topic.partitions >= wanted) and all(
        have.get(c.field[len(CONFIG) :]) in _shown(c) for c in entry.changes if c.field.startswith(CONFIG)
    )


def _shown(change: Change) -> tuple[str | None, ...]:
    if change.after is not None:
        return (str(change.after),)
    return (None,) if change.default is None else (None, str(change.default))
