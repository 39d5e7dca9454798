"""Apply subject entries: register new versions in dependency order (references first), then set
levels (PUT /config/{subject} only once the subject has a version); soft-delete in the last phase."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.cluster.registry_port import SCHEMA_TYPES, NewSchema, RegistryError, SchemaReference, SchemaRegistry
from kgov.errors import KgovError
from kgov.kinds.subjects.observe import ObservedSubjects
from kgov.plan.model import Entry
from kgov.schemas.model import Schema, SchemaError
from kgov.schemas.normal import normal_form
from kgov.schemas.references import Ref, dependency_order


def apply_subjects(registry: SchemaRegistry, entries: Sequence[Entry]) -> Mapping[str, str | None]:
    results: dict[str, str | None] = {e.address: None for e in entries}
    writes = {e.name: e for e in entries if e.action in ("create", "update")}
    refs = {n: tuple(Ref(r["name"], r["subject"]) for r in e.after["references"]) for n, e in writes.items()}
    versions: dict[str, int] = {}
    failed: dict[str, str] = {}
    down: str | None = None
    for name in dependency_order(list(writes), refs):
        entry = writes[name]
        if down is not None:
            failed[name] = results[entry.address] = down
            continue
        if not entry.after["register"]:
            continue
        try:
            versions[name] = _register(registry, entry, refs[name], versions, failed)
        except RegistryError as exc:
            failed[name] = results[entry.address] = _refused(exc)
        except KgovError as exc:  # unreachable: the rest is not tried
            down = failed[name] = results[entry.address] = exc.message
    for name, entry in writes.items():
        if name in failed or not entry.after["set_level"]:
            continue
        try:
            registry.set_level(name, entry.after["compatibility"])
        except (RegistryError, KgovError) as exc:
            results[entry.address] = f"registered, but the level was not set: {exc}"
    for entry in entries:
        if entry.action == "delete":
            try:
                registry.delete_subject(entry.name)
            except (RegistryError, KgovError) as exc:
                results[entry.address] = str(exc)
    return results


def _register(
    registry: SchemaRegistry,
    entry: Entry,
    refs: tuple[Ref, ...],
    versions: dict[str, int],
    failed: Mapping[str, str],
) -> int:
    resolved = []
    for ref in refs:
        if ref.subject in failed:
            raise RegistryError(f"not registered: its reference {ref.subject} failed")
        if ref.subject not in versions:
            latest = registry.latest([ref.subject])[ref.subject]
            if latest is None:
                raise RegistryError(f"not registered: its reference {ref.subject} has no version")
            versions[ref.subject] = latest.version
        resolved.append(SchemaReference(ref.name, ref.subject, versions[ref.subject]))
    schema_type = SCHEMA_TYPES[entry.after["format"]]
    return registry.register(
        NewSchema(entry.name, schema_type, entry.after["schema"], tuple(resolved))
    ).version


def _refused(exc: RegistryError) -> str:
    if exc.incompatible:
        return f"the registry refused the new version as incompatible: {exc.message}"
    return exc.message


def subject_visible(entry: Entry, observed: ObservedSubjects) -> bool:
    have = observed.latest.get(entry.name)
    if entry.action == "delete":
        return have is None
    if have is None:
        return False
    after = entry.after
    if after["set_level"] and observed.levels.get(entry.name) != after["compatibility"]:
        return False
    if not after["register"]:
        return True
    try:
        return bool(normal_form(Schema(after["format"], have.schema, entry.name)) == after["normal"])
    except SchemaError:
        return False
