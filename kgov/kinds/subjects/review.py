"""`kgov diff --base` for subjects: a lowered compatibility level, and the offline verdict of every
changed schema against the base's version (the checker of `kgov lint --base`, kgov/kinds/subjects/compat.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from kgov.catalog.model import Catalog
from kgov.diagnostics import Location
from kgov.kinds.reasons import ATTENTION, BREAKING, SAFE, Reason
from kgov.plan.model import JSON


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
    from kgov.kinds.subjects.compat import changed_schemas, incompatible  # heavy: only when asked

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


def subject_location(catalog: Catalog, name: str) -> Location | None:
    """The subject's schema file."""
    return Location(catalog.schemas[name].file) if name in catalog.schemas else None
