"""Digests that make a saved plan checkable: of the observed state, and of the whole plan.

The fingerprint covers the environment, the options, the scope, the observed state's digest and
every entry, so any edit of a plan file shows (its fingerprint no longer matches its content), and
any change of the catalog or the cluster since shows too (apply re-plans and compares).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from kgov.plan.model import JSON, Entry


def digest(doc: JSON) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def plan_fingerprint(
    environment: str,
    allow_delete: bool,
    scope: Mapping[str, JSON],
    state_digest: str,
    entries: Sequence[Entry],
) -> str:
    return digest(
        {
            "environment": environment,
            "options": {"allow_delete": allow_delete},
            "scope": scope,
            "state_digest": state_digest,
            "resource_changes": [e.to_json() for e in entries],
        }
    )
