"""Which kgov.yaml changes weaken a guard. kgov.yaml comes with the pull request like every other file,
so a change that loosens the policy judging that same pull request (a capacity threshold raised, a
rule turned off, a custom rule rewritten, a shorter active_within) needs a reviewer's attention; a
change that tightens it is safe."""

from __future__ import annotations

from collections.abc import Iterator

from kgov.catalog.model import CustomRule
from kgov.plan.model import JSON
from kgov.review.model import ATTENTION, Reason

_RANK = {"off": 0, "False": 0, "warning": 1, "error": 2}
# bounds whose lower minimum (or higher maximum) lets more through
_FLOORS = ("partitions.min", "replication_factor.min", "min_insync_replicas.min")
_CEILINGS = (
    "partitions.max",
    "capacity.max_bytes_at_retention",
    "capacity.max_partitions_per_broker",
)


def rule_json(rule: CustomRule) -> dict[str, JSON]:
    """A custom rule as a diff shows it: every field that decides what it judges."""
    return {
        "severity": rule.severity,
        "on": rule.on,
        "expr": rule.expr,
        "message": rule.message,
        "hint": rule.hint,
        "environments": list(rule.environments),
        "services": list(rule.services),
        "examples": {"pass": len(rule.passes), "fail": len(rule.fails)},
    }


def weakened(section: str, key: str, old: JSON, new: JSON) -> Reason | None:
    """The attention reason when policy/ownership `key` changed from `old` to `new` loosens a guard."""
    if section == "ownership" and key == "active_within_ms" and _lower(new, old):
        return Reason(
            "guard-loosened",
            ATTENTION,
            "ownership.active_within shortened: deletes of less recently used topics and principals "
            "are no longer blocked",
        )
    if section != "policy":
        return None
    if key in _FLOORS and (new is None or _lower(new, old)):
        return _loosened(f"policy.{key} lowered: smaller values now pass lint")
    if key in _CEILINGS and old is not None and (new is None or _lower(old, new)):
        return _loosened(f"policy.{key} raised or removed: larger values now pass")
    if key == "capacity.on_exceed" and old == "block" and new != "block":
        return _loosened("policy.capacity.on_exceed no longer blocks: a plan over the threshold applies")
    if key in ("topic_name", "required") and old != new:
        return _loosened(f"policy.{key} changed: what lint requires of every topic changed")
    if key == "rules" and isinstance(old, dict) and isinstance(new, dict):
        lowered = sorted(r for r in new if _RANK.get(str(new[r]), 2) < _RANK.get(str(old.get(r, "error")), 2))
        if lowered:
            return _loosened(f"policy.rules lowers or turns off: {', '.join(lowered)}")
    return None


def rule_changes(
    old: tuple[CustomRule, ...], new: tuple[CustomRule, ...]
) -> Iterator[tuple[str, str, dict[str, JSON] | None, dict[str, JSON] | None, Reason | None]]:
    """Per custom rule id: (id, action, before, after, the attention reason if it loosens)."""
    before = {r.id: rule_json(r) for r in old}
    after = {r.id: rule_json(r) for r in new}
    for rid in sorted(set(before) | set(after)):
        b, a = before.get(rid), after.get(rid)
        if b == a:
            continue
        if b is None:
            yield rid, "add", None, a, None
        elif a is None:
            yield rid, "remove", b, None, _loosened(f"custom rule {rid} removed: what it caught now passes")
        else:
            changed = [k for k in a if a[k] != b.get(k)]
            raised = changed == ["severity"] and _RANK[str(a["severity"])] > _RANK[str(b["severity"])]
            why = f"custom rule {rid} changed ({', '.join(changed)}): it may let more through"
            yield rid, "change", b, a, None if raised else _loosened(why)


def _lower(a: JSON, b: JSON) -> bool:
    return isinstance(a, int | float) and isinstance(b, int | float) and a < b


def _loosened(text: str) -> Reason:
    return Reason("guard-loosened", ATTENTION, text)
