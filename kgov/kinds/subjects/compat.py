"""The offline compatibility check of changed schemas against their versions at a base: what
`kgov lint --base` reports (kgov/base_compat.py reads the base through git) and `kgov diff --base`
classifies (kgov/kinds/subjects/review.py).

A subject is checked when its file changed or a schema it references did, at its subject's level,
against its version at the base. Offline, the base version is the only history known: a
transitive level is checked against it alone, and plan checks the registry's full history.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from kgov.catalog.model import Catalog, SchemaFile
from kgov.diagnostics import Location
from kgov.errors import KgovError
from kgov.kinds.subjects.desired import DesiredSubject, as_schema, known_subjects, subject_levels
from kgov.schemas.bounds import MAX_NESTING, nesting, position
from kgov.schemas.check import check
from kgov.schemas.model import Breaking, Level
from kgov.schemas.references import Ref, Source, find_references

_FORMAT_NAMES = {"avro": "Avro", "json": "JSON Schema"}


def incompatible(
    head: Catalog, base: Mapping[str, SchemaFile], ref: str, label: str
) -> dict[str, tuple[str, Location]]:
    """By subject: why its change breaks its level, and where (`kgov lint --base`, `kgov diff --base`)."""
    new_files = head.schemas
    new_refs = _references(new_files)
    new_known = known_subjects(new_files, new_refs)
    old_known = known_subjects(base, _references(base))
    levels = subject_levels(head, new_refs)
    default = head.settings.policy.default_compatibility
    out: dict[str, tuple[str, Location]] = {}
    for subject in changed_subjects(new_files, base, new_refs):
        level = _level(levels.get(subject, default))
        if level is None or level is Level.NONE:
            continue
        new, old = new_known[subject], old_known[subject]
        where = new_files[subject]
        if new.format != old.format:
            was, now = _FORMAT_NAMES[old.format], _FORMAT_NAMES[new.format]
            message = (
                f"schema {subject} changed type since {label}: {was} → {now}; a registry refuses a "
                f"version of another type at {level.value}"
            )
            out[subject] = (message, Location(where.file))
            continue
        breaking = _breaking(new, old, new_known, old_known, level, ref)
        listed = "; ".join(b.message() for b in breaking)
        if any(b.unchecked for b in breaking):  # never a pass: a check that could not be done
            message = (
                f"schema {subject} could not be checked for {level.value} compatibility with its "
                f"version at {label}, so it is not known to be compatible: {listed}"
            )
            out[subject] = (message, _where_deep(where.file, where.text, new.format))
        elif breaking:
            message = (
                f"schema {subject} is not {level.value} compatible with its version at {label}: "
                f"{len(breaking)} breaking change{'s' if len(breaking) != 1 else ''}: {listed}"
            )
            out[subject] = (message, locate(where.file, where.text, breaking[0].path, new.format))
    return out


def changed_schemas(head: Catalog, base: Mapping[str, SchemaFile]) -> list[str]:
    """The head's subjects whose schema (or one it references) differs from the base's."""
    return changed_subjects(head.schemas, base, _references(head.schemas))


def changed_subjects(
    new: Mapping[str, SchemaFile], old: Mapping[str, SchemaFile], refs: Mapping[str, tuple[Ref, ...]]
) -> list[str]:
    """Subjects on both sides whose file changed, or that reference (at any depth) one that did."""
    both = sorted(set(new) & set(old))
    changed = {s for s in both if new[s].text != old[s].text or new[s].format != old[s].format}
    grew = True
    while grew:  # references of references: until nothing more is reached
        grew = False
        for s in both:
            if s not in changed and any(r.subject in changed for r in refs.get(s, ())):
                changed.add(s)
                grew = True
    return [s for s in both if s in changed]


def _references(files: Mapping[str, SchemaFile]) -> dict[str, tuple[Ref, ...]]:
    refs, _problems = find_references({s: Source(f.format, f.text) for s, f in files.items()})
    return refs  # problems are the references rules' to report


def _level(text: str) -> Level | None:
    try:
        return Level(str(text).strip().upper())
    except ValueError:
        return None  # an unknown level is the policy rules' to report


def _breaking(
    new: DesiredSubject,
    old: DesiredSubject,
    new_known: Mapping[str, DesiredSubject],
    old_known: Mapping[str, DesiredSubject],
    level: Level,
    ref: str,
) -> tuple[Breaking, ...]:
    try:
        verdict = check(as_schema(new, new_known), [(ref, as_schema(old, old_known))], level)
    except KgovError as exc:  # an invalid schema (either side): reported, never taken for a pass
        way = "backward" if level.backward else "forward"
        return (Breaking("$", f"could not be checked: {exc.message}", ref, way, unchecked=True),)
    return verdict.breaking


def _where_deep(file: str, text: str, fmt: str) -> Location:
    """A schema that could not be checked: where it nests deepest, when that can be found."""
    try:
        levels, names = nesting(json.loads(text), fmt)
    except (ValueError, RecursionError):
        return Location(file)
    found = position(text, names, fmt) if levels > MAX_NESTING else None
    return Location(file) if found is None else Location(file, *found)


_SEGMENT = re.compile(r"[^.\[\]]+")


def locate(file: str, text: str, path: str, fmt: str) -> Location:
    """Where a breaking change's field is written in the new file, as far as it can be found: each
    segment of the path (`Rec.field.sub`, `$.prop.sub`) is looked for after the previous one; a
    segment not found (a field removed) leaves the position at its parent."""
    found = position(text, [s for s in _SEGMENT.findall(path) if s != "$"], fmt)
    return Location(file) if found is None else Location(file, *found)
