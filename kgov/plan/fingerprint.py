"""Digests that make a saved plan checkable: of the observed state, and of the whole plan.

The fingerprint covers the environment, the options, the scope, the observed state's digest and
every entry, so any edit of a plan file shows (its fingerprint no longer matches its content), and
any change of the catalog or the cluster since shows too (apply re-plans and compares).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from kgov.plan.model import EVIDENCE, JSON, Entry, Scoped, options_json


def digest(doc: JSON) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def plan_fingerprint(
    environment: str,
    allow_delete: bool,
    scope: Mapping[str, JSON],
    state_digest: str,
    entries: Sequence[Entry],
    scoped: Scoped | None = None,
    allow_delete_active: bool = False,
) -> str:
    doc = {
        "environment": environment,
        "options": options_json(allow_delete, allow_delete_active),
        "scope": scope,
        "state_digest": state_digest,
        "resource_changes": [_fingerprinted(e) for e in entries],
    }
    if scoped is not None:  # only then: a full plan's fingerprint is what it always was
        doc["scoped"] = scoped.to_json()
    return digest(doc)


def _fingerprinted(entry: Entry) -> JSON:
    doc = entry.to_json()
    assert isinstance(doc, dict)
    doc["notes"] = [n for n in entry.notes if not n.startswith(EVIDENCE)]
    return doc
