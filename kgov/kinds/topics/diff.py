"""The topic diff: wanted topics and observed topics → plan entries. Pure: no I/O, no printing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from kgov.catalog.patterns import protected_matcher
from kgov.kafka_configs import TOPIC_CONFIGS, canonical, ignored_config
from kgov.kinds.base import DiffContext
from kgov.kinds.ownership import matching_patterns, protected_patterns
from kgov.kinds.topics.capacity import above, above_message, broker_check, storage
from kgov.kinds.topics.observe import ObservedTopics
from kgov.plan.model import Change, Entry
from kgov.platforms import profile
from kgov.state import TopicSpec

KIND = "topic"


def spec_json(topic: TopicSpec) -> dict[str, object]:
    return {
        "partitions": topic.partitions,
        "replication_factor": topic.replication_factor,
        "config": dict(sorted(topic.config.items())),
    }


def _entry(name: str, action: str, **fields: object) -> Entry:
    return Entry(address=f"{KIND}.{name}", kind=KIND, name=name, action=action, **fields)  # type: ignore[arg-type]


def diff_topics(
    desired: Mapping[str, TopicSpec], observed: ObservedTopics, ctx: DiffContext
) -> tuple[list[Entry], list[str]]:
    ownership = ctx.settings.ownership
    protected = protected_patterns(ownership.protected)
    # The environment's platform: keys it manages are ignored as ownership.ignore_configs are, and a
    # value equal to its own default (which it may report as an override) is no drift.
    platform = profile(ctx.environment.platform)
    ignore = (*ownership.ignore_configs, *platform.ignore_topic_configs)
    entries: list[Entry] = []
    warnings: list[str] = []
    matcher = protected_matcher(protected) if desired else None  # is_protected's, once
    guarded = frozenset(filter(matcher.match, desired)) if matcher else frozenset()
    for name in sorted(desired):
        want = desired[name]
        if name in guarded:
            # The list as kgov.yaml has it; of a long one (up to 1,000), the patterns that matched.
            which = ", ".join(protected if len(protected) <= 10 else matching_patterns(name, protected)[:3])
            entries.append(
                _entry(
                    name,
                    "blocked",
                    after=spec_json(want),
                    reason=f"topic {name} matches a protected pattern ({which}); "
                    "kgov never creates or changes it",
                    hint="rename the topic or change ownership.protected in kgov.yaml",
                )
            )
            continue
        have = observed.topics.get(name)
        if have is None:
            entry: Entry | None = _create(want)
        else:
            entry = _update(want, have, ignore, platform.topic_defaults)
        if entry is not None:
            entries.append(_capacity_check(entry, ctx))
    limit = ctx.settings.policy.capacity
    entries = broker_check(
        entries, observed.broker_replicas, limit.max_partitions_per_broker, limit.on_exceed
    )
    for name, error in sorted(observed.unreadable.items()):
        warnings.append(
            f"topic {name} is in an owned prefix but kgov cannot describe it ({error}); "
            "it is left out of the plan"
        )
    for name in sorted(n for n in observed.topics if n not in desired):
        have = observed.topics[name]
        if ownership.delete and ctx.allow_delete:
            entries.append(
                _entry(
                    name,
                    "delete",
                    # an orphan's configs are not read (a delete does not depend on them)
                    before={"partitions": have.partitions, "replication_factor": have.replication_factor},
                    notes=(f"Deletes the topic and all its data ({_count(have.partitions, 'partition')}).",),
                )
            )
        elif ownership.delete:
            warnings.append(
                f"topic {name} is in an owned prefix but not in the catalog; "
                "plan with --allow-delete to delete it"
            )
        else:
            warnings.append(
                f"topic {name} is in an owned prefix but not in the catalog "
                "(deletes are off: ownership.delete is false)"
            )
    return entries, warnings


def _capacity_check(entry: Entry, ctx: DiffContext) -> Entry:
    """policy.capacity: a created or grown topic above the threshold gets a note (attention) or is
    blocked (block)."""
    limit = ctx.settings.policy.capacity
    if entry.action not in ("create", "update") or limit.max_bytes_at_retention is None:
        return entry
    sized = storage(entry.name, entry.before if entry.action == "update" else None, entry.after)
    if not above(sized, limit.max_bytes_at_retention):
        return entry
    message = above_message(sized, limit.max_bytes_at_retention)
    if limit.on_exceed != "block":
        return replace(entry, notes=(*entry.notes, f"attention: {message}"))
    return replace(
        entry,
        action="blocked",
        reason=message,
        hint="lower partitions or retention.bytes, or raise policy.capacity.max_bytes_at_retention "
        "in kgov.yaml",
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _create(want: TopicSpec) -> Entry:
    rows = [
        Change("partitions", None, want.partitions),
        Change("replication_factor", None, want.replication_factor),
        *(Change(f"config.{k}", None, v) for k, v in sorted(want.config.items())),
    ]
    after = spec_json(want)
    note = storage(want.name, None, after).note(want.partitions, want.replication_factor)
    return _entry(want.name, "create", after=after, changes=tuple(rows), notes=(note,))


def _update(
    want: TopicSpec, have: TopicSpec, ignore: tuple[str, ...], defaults: Mapping[str, str]
) -> Entry | None:
    if _unchanged(want, have, ignore):
        return None
    rows: list[Change] = []
    reasons: list[str] = []
    hints: list[str] = []
    # A replication-factor change is the replica kind's (kgov/kinds/replicas/): a throttled reassignment.
    if want.partitions < have.partitions:
        rows.append(Change("partitions", have.partitions, want.partitions, blocked=True))
        reasons.append(
            "Kafka cannot decrease a topic's partition count; deleting and recreating it loses its data"
        )
        hints.append(f"set partitions back to {have.partitions} (or more), or migrate to a new topic")
    elif want.partitions > have.partitions:
        rows.append(Change("partitions", have.partitions, want.partitions, "increase_partitions"))
    rows.extend(config_changes(want.config, have.config, ignore, defaults))
    if not rows:
        return None
    before, after = spec_json(have), spec_json(want)
    sized = storage(want.name, before, after)
    # a note only when the storage changes: more partitions or another byte bound
    grows = (
        sized.replicas_added != 0
        or sized.bytes_added not in (0, None)
        or (sized.bytes_before is None) != (sized.bytes_after is None)
    )
    return _entry(
        want.name,
        "blocked" if reasons else "update",
        before=before,
        after=after,
        changes=tuple(rows),
        notes=(sized.note(want.partitions, want.replication_factor),) if grows and not reasons else (),
        reason="; ".join(reasons) or None,
        hint="; ".join(hints) or None,
    )


# ignored_config of a key and the patterns: 100,000 topics ask it about the same few keys (1.3 of a
# plan's 22 s under the profiler). Bounded: keys come from the cluster.
_ignored = lru_cache(maxsize=4096)(ignored_config)


def _unchanged(want: TopicSpec, have: TopicSpec, ignore: tuple[str, ...]) -> bool:
    """True when _update finds nothing, found without its lists and dicts (the usual topic of a
    plan of 100,000): the same partitions and the same configs, each value one config_changes
    would leave as it is (ignored, or its canonical form already). False says nothing."""
    return (
        want.partitions == have.partitions
        and want.config == have.config
        and all(_settled(key, value, ignore) for key, value in want.config.items())
    )


@lru_cache(maxsize=4096)  # bounded: a plan asks about the same few (key, value) pairs
def _settled(key: str, value: str, ignore: tuple[str, ...]) -> bool:
    return _ignored(key, ignore) or canonical(key, value) == value


def config_changes(
    desired: Mapping[str, str],
    have: Mapping[str, str],
    ignore: tuple[str, ...] = (),
    defaults: Mapping[str, str] | None = None,
) -> list[Change]:
    """Desired values are normalised already; the cluster's are normalised here, so `7d` never
    diffs against `604800000`. A key only on the cluster is drift and gets reset, unless it matches
    `ignore` (ownership.ignore_configs and the platform's keys): kgov neither sets nor resets those
    (lint warns if the catalog sets one).

    `defaults`: the platform's own defaults where they differ from Kafka's or where it reports them
    as overrides (kgov/platforms.py), in Kafka's form. An override equal to one is the platform's
    doing, not drift; a catalog value equal to one needs no override; a reset goes back to it."""
    defaults = defaults or {}
    current = {k: canonical(k, v) for k, v in have.items() if not _ignored(k, ignore)}
    desired = {k: v for k, v in desired.items() if not _ignored(k, ignore)}
    if desired == current:  # every key set as desired, none left to reset: the usual topic
        return []
    changes = []
    for key in sorted(set(desired) | set(current)):
        if key in desired:
            now = current.get(key, defaults.get(key))  # unset: the platform's default applies
            if now != desired[key]:
                changes.append(Change(f"config.{key}", current.get(key), desired[key], "set"))
        elif current[key] != defaults.get(key):
            default = defaults.get(key, TOPIC_CONFIGS[key].default if key in TOPIC_CONFIGS else None)
            changes.append(Change(f"config.{key}", current[key], None, "reset", default))
    return changes
