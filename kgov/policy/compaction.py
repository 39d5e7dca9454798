"""Compaction: compacted topics need keys; topics that hold state should be compacted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet

import re2

from kgov.catalog.model import Topic
from kgov.diagnostics import Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule

CLEANUP = "cleanup.policy"

# Event parts that name a state rather than an event, and descriptions that say "this is the state".
_STATE_WORDS = (
    *("state", "states", "status", "profile", "profiles", "snapshot", "snapshots", "latest", "current"),
    *("stock-level", "stock-levels", "balance", "balances", "inventory", "catalog", "settings"),
    *("preferences", "changelog", "table"),
)
STATE_EVENT = re.compile(r"(^|-)(" + "|".join(_STATE_WORDS) + ")$")
# What an event STATE_EVENT finds ends with (`$` also matches before a final newline): an event that
# ends with none is not searched.
_STATE_ENDINGS = (*_STATE_WORDS, *(word + "\n" for word in _STATE_WORDS))
PAST_TENSE = re.compile(r"ed$")  # orders.state-changed, users.updated: events, whatever they describe
STATE_DESCRIPTION = re.compile(
    r"\blatest\b|\bstate of\b|\bcurrent (state|value|status|level|version)s?\b|\bsnapshot of\b",
    re.IGNORECASE,
)
# Text every STATE_DESCRIPTION match holds, lower-cased: an ASCII description without any of them is
# not searched (the search, case-insensitive at every word boundary, was most of this rule's time).
_DESCRIPTION_WORDS = ("latest", "state of", "current ", "snapshot of")
_ANY_DESCRIPTION_WORD = re2.compile("(?i)" + "|".join(re.escape(w) for w in _DESCRIPTION_WORDS))
_DELETE = frozenset({"delete"})  # Kafka's default cleanup.policy
# A name ending in a state word, searched in Context.names_reversed: "\n", then the word reversed.
_STATE_NAME_END = re.compile("\n(?:" + "|".join(re.escape(w[::-1]) for w in _STATE_WORDS) + ")")


def _topic(name: str, description: str, config: str, key: bool) -> str:
    return (
        "service: orders\nowner: team-orders\ntopics:\n"
        f"  - name: {name}\n    description: {description}\n    partitions: 6\n"
        f"    replication_factor: 3\n    config: {{min.insync.replicas: 2{config}}}\n"
        + ("    key_schema: orders.created-value\n" if key else "")
    )


def _policy(ctx: Context, topic: Topic) -> AbstractSet[str] | None:
    """The topic's cleanup.policy as a set, or None when the value is invalid (reported elsewhere)."""
    if CLEANUP not in topic.config:
        return _DELETE
    value = ctx.config_value(topic.config, CLEANUP)
    return None if value is None else set(value.split(","))


def _value_is(ctx: Context, key: str, value: object, wanted: str) -> bool | None:
    """Whether `value` of `key`, in Kafka's form, is `wanted` (an invalid value is not); None when
    asking raised anything else (the rule's own loop then raises it as before)."""
    try:
        return ctx.config_value({key: value}, key) == wanted
    except Exception:
        return None


def _never_minus_one(ctx: Context, key: str) -> bool:
    """True when no topic sets `key` to -1 (in Kafka's form), each distinct value asked once."""
    values = ctx.topic_config_values(key)
    return values is not None and not any(_value_is(ctx, key, v, "-1") is not False for v in values)


def _never_compacted(ctx: Context) -> bool:
    """True when no topic's cleanup.policy (each distinct value judged once) holds compact."""
    values = ctx.topic_config_values(CLEANUP)
    if values is None:
        return False
    try:
        policies = [ctx.config_value({CLEANUP: value}, CLEANUP) for value in values]
    except Exception:
        return False
    return not any(p is not None and "compact" in p.split(",") for p in policies)


def _may_end_in_state(ctx: Context) -> bool:
    """False when no event ends with one of _STATE_ENDINGS. With `parts` split at the first dot an
    event is the end of its name (the words hold no dot), so one search of the names backwards."""
    if ctx.parts_are_split:
        return _STATE_NAME_END.search(ctx.names_reversed) is not None
    return any(event.endswith(_STATE_ENDINGS) for _, event in ctx.topic_parts)


def _quiet(descriptions: list[str]) -> bool:
    """True when no description can say state: all ASCII and none holds a word of STATE_DESCRIPTION
    (lower-cased). One look at them all, joined (a word never spans the joining newline), by one
    RE2 search, case-insensitive: on ASCII text that is the words' search in the lower-cased text."""
    joined = "\n".join(descriptions)
    return joined.isascii() and _ANY_DESCRIPTION_WORD.search(joined) is None


def _says_state(description: str) -> re.Match[str] | None:
    """STATE_DESCRIPTION's first match in the description."""
    if description.isascii():
        low = description.lower()
        if not any(word in low for word in _DESCRIPTION_WORDS):
            return None
    return STATE_DESCRIPTION.search(description)


@rule(
    "compacted-without-key",
    "compacted topics have a key schema",
    severity=Severity.WARNING,
    message="a compacted topic has no key_schema",
    hint="add key_schema: compaction keeps the latest record per key, so the key is the contract",
    doc="""
Compaction keeps the latest record of each key: the key is what a compacted topic means, and records
without one are refused by the broker. A compacted topic should say what its key is with
`key_schema`.
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": _topic(
                    "orders.state", "State of each order.", ", cleanup.policy: compact", False
                )
            },
            line=4,
        ),
        Example(
            True,
            {
                "topics/orders.yaml": _topic(
                    "orders.state", "State of each order.", ", cleanup.policy: compact", True
                )
            },
        ),
    ),
)
def check_compacted_key(ctx: Context) -> Iterator[Finding]:
    if _never_compacted(ctx):
        return
    for topic in ctx.topics:
        policy = _policy(ctx, topic)
        if policy and "compact" in policy and topic.key_schema is None:
            yield Finding(topic.loc("name"), f"topic '{topic.name}' is compacted but has no key_schema")


@rule(
    "state-topic-not-compacted",
    "state topics are compacted",
    severity=Severity.WARNING,
    message="a topic that holds state (by its name or description) is not compacted",
    hint="set config cleanup.policy: compact (or compact,delete); with delete, old states expire",
    doc="""
A topic whose event part names a state (`state`, `*-state`, `status`, `profile`, `snapshot`,
`stock-level`, `balance`, `changelog`, …) or whose description speaks of the "latest" record or the
"state of"/"current value of" something is meant to keep the last value of each key. With
`cleanup.policy: delete` alone (Kafka's default) those values disappear after `retention.ms`.
The description is not consulted for names in the past tense (`orders.state-changed`,
`users.updated`): those are events, whatever they describe.
""",
    examples=(
        Example(
            False, {"topics/orders.yaml": _topic("orders.state", "State of each order.", "", True)}, line=4
        ),
        Example(
            False,
            {"topics/orders.yaml": _topic("orders.summary", "Latest summary of each order.", "", True)},
            line=4,
            note="the description says it holds the latest value",
        ),
        Example(
            True,
            {
                "topics/orders.yaml": _topic(
                    "orders.state", "State of each order.", ", cleanup.policy: compact", True
                )
            },
        ),
    ),
)
def check_state_compacted(ctx: Context) -> Iterator[Finding]:
    quiet = _quiet(list(filter(None, ctx.column("description"))))
    if quiet and not _may_end_in_state(ctx):
        return  # no name and no description says state: nothing to find, whatever the policies
    for topic, (_, event) in zip(ctx.topics, ctx.topic_parts, strict=True):
        policy = _policy(ctx, topic)
        if policy is None or "compact" in policy:
            continue
        named = STATE_EVENT.search(event) if event.endswith(_STATE_ENDINGS) else None
        if named:
            why = f"its name ends in '{named.group(2)}'"
        elif (
            not quiet
            and topic.description
            and not PAST_TENSE.search(event)
            and (m := _says_state(topic.description))
        ):
            why = f"its description says '{m.group(0)}'"
        else:
            continue
        yield Finding(
            topic.loc("name"),
            f"topic '{topic.name}' looks like it holds state ({why}) but is not compacted",
        )


def _unbounded(ctx: Context, topic: Topic, key: str) -> bool:
    """The key is set to -1 (no limit), or, for retention.bytes, left at Kafka's default -1."""
    if key not in topic.config:
        return key == "retention.bytes"
    return ctx.config_value(topic.config, key) == "-1"


@rule(
    "unbounded-retention",
    "a deleting topic has a retention bound",
    severity=Severity.WARNING,
    message="a topic that is not compacted keeps its data for ever (no retention.ms or retention.bytes)",
    hint="set retention.ms (e.g. 7d) or retention.bytes (per partition, e.g. 10GiB), or compact the topic",
    doc="""
A topic with `cleanup.policy: delete` deletes old segments only when `retention.ms` or
`retention.bytes` says so. With `retention.ms: -1` and no `retention.bytes` (or -1) it grows without
limit until a broker's disk is full; its storage at retention in a plan is "unbounded"
(docs/capacity.md). A compacted topic is bounded by its keys and is not reported.
""",
    examples=(
        Example(
            False,
            {"topics/orders.yaml": _topic("orders.audit", "Audit log.", ", retention.ms: -1", False)},
            line=8,
        ),
        Example(
            True,
            {
                "topics/orders.yaml": _topic(
                    "orders.audit", "Audit log.", ", retention.ms: -1, retention.bytes: 10GiB", False
                )
            },
        ),
    ),
)
def check_unbounded_retention(ctx: Context) -> Iterator[Finding]:
    if _never_minus_one(ctx, "retention.ms"):
        return  # no topic sets retention.ms to -1
    for topic in ctx.topics:
        if "retention.ms" not in topic.config:
            continue  # _unbounded(…, "retention.ms") is False: asked first, it spares the policy's reading
        policy = _policy(ctx, topic)
        if policy is None or "compact" in policy:
            continue
        if _unbounded(ctx, topic, "retention.ms") and _unbounded(ctx, topic, "retention.bytes"):
            yield Finding(
                topic.loc("config", "retention.ms"),
                f"topic '{topic.name}': retention.ms is -1 and no retention.bytes bounds it: "
                "its data is kept for ever",
            )
