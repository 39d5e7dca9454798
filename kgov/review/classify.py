"""Why a change matters: the built-in classification of topic, ACL-binding and subject changes.

A kind may bring its own: an optional method `classify(name, before, after, head, base)` returning
(code, class, message) triples wins over the built-in rules below (see docs/diff.md). The rules
read the kinds' desired JSON (`before`/`after`, None when absent) and the two catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kgov.catalog.model import Catalog, Topic
from kgov.plan.model import JSON
from kgov.review.model import ATTENTION, BREAKING, SAFE, Reason

SENSITIVE = ("confidential", "pii")
_RETENTION_DEFAULTS = {"retention.ms": 604800000, "retention.bytes": -1}

Rule = Callable[[str, JSON, JSON, Catalog, Catalog], list[Reason]]


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
                BREAKING,
                f"replication factor {before['replication_factor']} → {after['replication_factor']}: "
                "needs a partition reassignment (kgov refuses it)",
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


def _sensitive_topics(catalog: Catalog) -> dict[str, str]:
    return {t.name: t.classification for t in catalog.topics() if t.classification in SENSITIVE}


def _covers(binding: Mapping[str, JSON], topic: str) -> bool:
    name = str(binding.get("name", ""))
    if binding.get("pattern") == "prefixed":
        return topic.startswith(name)
    return name in ("*", topic)


def acl_reasons(name: str, before: JSON, after: JSON, head: Catalog, base: Catalog) -> list[Reason]:
    """Bindings are added or removed, never changed (their address is their whole content)."""
    binding = after if after is not None else before
    if not isinstance(binding, Mapping):
        return [Reason("access-changed", ATTENTION, f"access binding {name} changed")]
    who, op = binding.get("principal", "?"), binding.get("operation", "?")
    what = f"{binding.get('resource_type', '?')} {binding.get('name', '?')}"
    allow = binding.get("permission", "allow") == "allow"
    if after is None:
        if allow:
            return [Reason("access-revoked", BREAKING, f"{who} loses {op} on {what}")]
        return [Reason("deny-removed", ATTENTION, f"a deny of {op} on {what} for {who} is removed")]
    if not allow:
        return [Reason("access-denied", BREAKING, f"{who} is denied {op} on {what}")]
    reasons = []
    if str(who).endswith(":*") or who == "User:ANONYMOUS":  # ANONYMOUS: any unauthenticated client
        reasons.append(
            Reason("wildcard-principal", ATTENTION, f"every principal ({who}) gets {op} on {what}")
        )
    if binding.get("resource_type") == "topic":
        hit = sorted(t for t in _sensitive_topics(head) if _covers(binding, t))
        if hit:
            level = _sensitive_topics(head)[hit[0]]
            more = f" (and {len(hit) - 1} more)" if len(hit) > 1 else ""
            reasons.append(
                Reason("sensitive-access", ATTENTION, f"{who} gets {op} on {level} topic {hit[0]}{more}")
            )
    return reasons or [Reason("access-granted", SAFE, f"{who} gets {op} on {what}")]


def _implies(new: str, old: str) -> bool:
    """Level `new` rejects at least what `old` rejects."""

    def dirs(level: str) -> set[str]:
        core = level.removesuffix("_TRANSITIVE")
        return {"backward", "forward"} if core == "FULL" else ({core.lower()} - {"none"})

    return dirs(new) >= dirs(old) and (new.endswith("_TRANSITIVE") or not old.endswith("_TRANSITIVE"))


def subject_reasons(name: str, before: JSON, after: JSON, head: Catalog, base: Catalog) -> list[Reason]:
    if after is None:
        return [Reason("subject-removed", ATTENTION, f"subject {name} leaves the catalog")]
    if before is None:
        return [Reason("subject-added", SAFE, f"new subject {name}")]
    reasons = []
    old, new = _level(before, head), _level(after, head)
    if old and new and old != new and not _implies(new, old):
        reasons.append(Reason("compatibility-lowered", ATTENTION, f"compatibility {old} → {new}"))
    verdicts = _offline_verdicts(head, base)
    if name in verdicts and new != "NONE":  # NONE checks nothing
        verdict = verdicts[name]
        if verdict is None:
            reasons.append(
                Reason("schema-compatible", SAFE, f"subject {name}: compatible with the base's version")
            )
        else:
            reasons.append(Reason("schema-incompatible", BREAKING, verdict))
    return reasons or [Reason("subject-changed", SAFE, f"subject {name} changed")]


# The last pair of catalogs and their verdicts. The catalogs themselves are held (compared by
# identity), so a freed catalog's id can never be mistaken for a new one's.
_LAST: list[tuple[Catalog, Catalog, dict[str, str | None]]] = []


def _offline_verdicts(head: Catalog, base: Catalog) -> dict[str, str | None]:
    """For each subject whose schema changed: why the change breaks its level, or None when it does
    not (the checker of `kgov lint --base`, against the base's version only). Once per diff."""
    if _LAST and _LAST[0][0] is head and _LAST[0][1] is base:
        return _LAST[0][2]
    from kgov.base_compat import changed_schemas, incompatible

    found = incompatible(head, base.schemas, "base", "the base")
    verdicts: dict[str, str | None] = dict.fromkeys(changed_schemas(head, base.schemas))
    verdicts.update({subject: message for subject, (message, _) in found.items()})
    _LAST[:] = [(head, base, verdicts)]
    return verdicts


def _level(spec: JSON, catalog: Catalog) -> str | None:
    if not isinstance(spec, Mapping):
        return None
    level = spec.get("compatibility") or catalog.settings.policy.default_compatibility
    return str(level).upper()


def default_reasons(kind: str) -> Rule:
    def rule(name: str, before: JSON, after: JSON, head: Catalog, base: Catalog) -> list[Reason]:
        if before is None:
            return [Reason(f"{kind}-added", SAFE, f"new {kind} {name}")]
        if after is None:
            return [Reason(f"{kind}-removed", ATTENTION, f"{kind} {name} is removed")]
        return [Reason(f"{kind}-changed", SAFE, f"{kind} {name} changed")]

    return rule


BUILT_IN: dict[str, Rule] = {"topic": topic_reasons, "acl": acl_reasons, "subject": subject_reasons}
