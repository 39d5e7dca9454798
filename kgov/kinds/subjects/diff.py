"""The subject diff: desired subjects and what the registry holds → plan entries. Pure.

A new version is registered only when the catalog's schema differs in meaning (normal forms, or
its references) from the latest registered one, and only if kgov's checker finds it compatible
with the subject's history at the level it will be registered under (the registry's current level
and the catalog's, both); otherwise the entry is blocked with each breaking change.
"""

from __future__ import annotations

from collections.abc import Mapping

from kgov.cluster.registry.port import FORMATS, RegisteredSchema
from kgov.kinds.base import DiffContext
from kgov.kinds.ownership import is_protected
from kgov.kinds.subjects.desired import DesiredSubject, as_schema
from kgov.kinds.subjects.observe import ObservedSubjects
from kgov.plan.model import Change, Entry
from kgov.schemas.check import check
from kgov.schemas.model import Breaking, Level, Reference, Schema, SchemaError
from kgov.schemas.normal import normal_form

KIND = "subject"


def _entry(name: str, action: str, **fields: object) -> Entry:
    return Entry(address=f"{KIND}.{name}", kind=KIND, name=name, action=action, **fields)  # type: ignore[arg-type]


def _after(want: DesiredSubject, register: bool, set_level: bool) -> dict[str, object]:
    return {
        "format": want.format,
        "file": want.file,
        "compatibility": want.level,
        "references": [{"name": r.name, "subject": r.subject} for r in want.references],
        "register": register,
        "set_level": set_level,
        "normal": want.normal,
        "schema": want.text,
    }


def _before(have: RegisteredSchema, level: str | None) -> dict[str, object]:
    return {
        "version": have.version,
        "id": have.id,
        "compatibility": level,
        "references": [{"name": r.name, "subject": r.subject, "version": r.version} for r in have.references],
    }


def diff_subjects(
    desired: Mapping[str, DesiredSubject], observed: ObservedSubjects, ctx: DiffContext
) -> tuple[list[Entry], list[str]]:
    ownership = ctx.settings.ownership
    entries: list[Entry] = []
    warnings: list[str] = []
    registering = _registering(desired, observed)
    for name in sorted(desired):
        want = desired[name]
        if is_protected(name, ownership.protected):
            entries.append(
                _entry(
                    name,
                    "blocked",
                    reason=f"subject {name} matches a protected pattern",
                    hint="rename it or change ownership.protected in kgov.yaml",
                )
            )
        elif want.problem:
            entries.append(
                _entry(
                    name,
                    "blocked",
                    after=_after(want, True, True),
                    reason=want.problem,
                    hint="run `kgov lint` and fix the schema file",
                )
            )
        elif name not in observed.latest:
            entries.append(_create(want))
        else:
            entry = _update(want, observed, name in registering, desired, warnings)
            if entry is not None:
                entries.append(entry)
    for name in sorted(set(observed.latest) - set(desired)):
        have = observed.latest[name]
        if ownership.delete and ctx.allow_delete:
            entries.append(
                _entry(
                    name,
                    "delete",
                    before=_before(have, observed.levels.get(name)),
                    notes=(
                        "Soft delete: the registry keeps the versions; clients can no "
                        "longer look the subject up.",
                    ),
                )
            )
        else:
            why = "plan with --allow-delete to delete it" if ownership.delete else "deletes are off"
            warnings.append(f"subject {name} is in an owned prefix but not in the catalog ({why})")
    return entries, warnings


def _registering(desired: Mapping[str, DesiredSubject], observed: ObservedSubjects) -> set[str]:
    """Subjects that need a new version: their meaning changed, or a subject they reference does."""
    out = {n for n, w in desired.items() if n not in observed.latest or _differs(w, observed.latest[n])}
    changed = True
    while changed:
        changed = False
        for name, want in desired.items():
            if name in out or name not in observed.latest:
                continue
            have = {(r.name, r.subject): r.version for r in observed.latest[name].references}
            for ref in want.references:
                target = observed.latest.get(ref.subject)
                if (
                    ref.subject in out
                    or target is None
                    or have.get((ref.name, ref.subject)) != target.version
                ):
                    out.add(name)
                    changed = True
                    break
    return out


def _differs(want: DesiredSubject, have: RegisteredSchema) -> bool:
    if FORMATS.get(have.schema_type) != want.format:
        return True
    if {(r.name, r.subject) for r in want.references} != {(r.name, r.subject) for r in have.references}:
        return True
    if want.normal and have.schema == want.text:  # the normal form is the text's: the same one
        return False
    try:
        return normal_form(Schema(want.format, have.schema, have.subject)) != want.normal
    except SchemaError:
        return True


def _create(want: DesiredSubject) -> Entry:
    rows = [Change("schema", None, f"{want.file} ({want.format})"), Change("compatibility", None, want.level)]
    if want.references:
        rows.append(Change("references", None, ", ".join(f"{r.name} ({r.subject})" for r in want.references)))
    return _entry(want.subject, "create", after=_after(want, True, True), changes=tuple(rows))


def _update(
    want: DesiredSubject,
    observed: ObservedSubjects,
    register: bool,
    desired: Mapping[str, DesiredSubject],
    warnings: list[str],
) -> Entry | None:
    have = observed.latest[want.subject]
    now = observed.levels.get(want.subject)
    set_level = now != want.level
    if not register and not set_level:
        return None
    rows: list[Change] = []
    if register:
        rows.append(Change("schema", f"version {have.version}", f"new version from {want.file}", "register"))
    if set_level:
        rows.append(Change("compatibility", now, want.level, "set_level"))
    breaking = _breaking(want, observed, now, desired, warnings) if register else []
    fields: dict[str, object] = {
        "before": _before(have, now),
        "after": _after(want, register, set_level),
    }
    if not breaking:
        return _entry(want.subject, "update", changes=tuple(rows), **fields)
    rows += [Change(b.path, b.version, b.change, b.direction, blocked=True) for b in breaking]
    listed = "; ".join(b.message() for b in breaking)
    unchecked = any(b.unchecked for b in breaking)  # never registered on a check that was not done
    return _entry(
        want.subject,
        "blocked",
        changes=tuple(rows),
        reason=f"the new schema could not be checked for compatibility, so it is not registered: {listed}"
        if unchecked
        else f"the new schema breaks compatibility ({len(breaking)} breaking change"
        f"{'s' * (len(breaking) > 1)}): {listed}",
        hint="make the change compatible (e.g. give new fields defaults), or change the subject's "
        "compatibility level on purpose",
        **fields,
    )


def _breaking(
    want: DesiredSubject,
    observed: ObservedSubjects,
    now: str | None,
    desired: Mapping[str, DesiredSubject],
    warnings: list[str],
) -> list[Breaking]:
    """Checked at the catalog's level and at the registry's current one (registration runs under it)."""
    history = observed.history.get(want.subject) or (observed.latest[want.subject],)
    try:
        new = as_schema(want, desired)
        old = [(f"version {v.version}", _registered(v, observed, 0)) for v in history]
        found: dict[str, Breaking] = {}
        levels = {want.level} | ({now} if now is not None and now in Level.__members__ else set())
        for level in levels:
            for b in check(new, old, Level(level)).breaking:
                found.setdefault(b.message(), b)
        return list(found.values())
    except SchemaError as exc:
        warnings.append(
            f"subject {want.subject}: compatibility not checked by kgov ({exc.message}); "
            "the registry checks it when registering"
        )
        return []


def _registered(version: RegisteredSchema, observed: ObservedSubjects, depth: int) -> Schema:
    fmt = FORMATS.get(version.schema_type)
    if fmt is None or depth > 16:
        raise SchemaError(f"{version.subject} version {version.version} is a {version.schema_type} schema")
    refs = []
    for ref in version.references:
        target = observed.version(ref.subject, ref.version)
        if target is None:
            raise SchemaError(f"reference {ref.subject} version {ref.version} was not found")
        refs.append(Reference(ref.name, ref.subject, ref.version, _registered(target, observed, depth + 1)))
    return Schema(fmt, version.schema, f"{version.subject} version {version.version}", tuple(refs))
