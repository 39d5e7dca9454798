"""`kgov diff --base` for ACL bindings: why granting, revoking or denying access matters.

A binding is added or removed, never changed (its address is its whole content). A revoked grant
or a new deny breaks a client; a grant to every principal, or on a topic the catalog classifies as
sensitive, needs a reviewer's eye.
"""

from __future__ import annotations

from collections.abc import Mapping

from kgov.catalog.model import Catalog
from kgov.kinds.reasons import ATTENTION, BREAKING, SAFE, Reason
from kgov.plan.model import JSON

SENSITIVE = ("confidential", "pii")  # topic classifications whose access a reviewer checks


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
