"""Subjects in `kgov audit`: those the registry holds and the catalog does not name (unmanaged),
and subjects at compatibility NONE (any schema change is accepted: a live policy violation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kgov.cluster.registry.port import SchemaRegistry
from kgov.kinds.base import DiffContext, Unmanaged, Violation
from kgov.kinds.ownership import is_protected
from kgov.kinds.subjects.observe import ObservedSubjects

KIND = "subject"
NONE = "NONE"


def unmanaged_subjects(
    registry: SchemaRegistry, desired: Mapping[str, Any], ctx: DiffContext
) -> list[Unmanaged]:
    """The listing observe made (the audit's port answers it again for free), and one batched read
    of the unmanaged subjects' levels."""
    protected = ctx.settings.ownership.protected
    found = sorted(s for s in registry.subjects() if s not in desired and not is_protected(s, protected))
    levels = registry.levels(found) if found else {}
    return [Unmanaged(KIND, s, s, {"compatibility": levels.get(s)}) for s in found]


def none_levels(
    observed: ObservedSubjects | None, unmanaged: Sequence[Unmanaged], ctx: DiffContext
) -> list[Violation]:
    """Nothing read (`audit --catalog-only`): no level to check."""
    levels: dict[str, Any] = dict(observed.levels) if observed is not None else {}
    levels.update({u.name: u.detail.get("compatibility") for u in unmanaged if isinstance(u.detail, dict)})
    return [
        Violation(
            "compatibility-none",
            KIND,
            s,
            f"subject {s} is at compatibility NONE: the registry accepts any schema, "
            "so a breaking change reaches its consumers unchecked",
        )
        for s, level in sorted(levels.items())
        if level == NONE
    ]
