"""Apply subject entries: register new versions in waves, set levels, soft-delete last.

A wave holds the subjects whose references were all registered in earlier waves (or are not
registered by this apply), so a subject is registered only after every subject it references; the
subjects of a wave are registered concurrently (as many as the registry allows: kgov/cluster/pool.py),
each then getting its level (PUT /config/{subject} only once the subject has a version). The
version number a registration got is looked up only for subjects that others reference. Each
subject costs the same requests as one at a time, so request counts do not depend on timing. Once
the registry is unreachable, no further request is made: the entries not yet done fail with that
message, and every entry still has an outcome.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kgov.cluster.pool import run_all
from kgov.cluster.registry.port import SCHEMA_TYPES, NewSchema, RegistryError, SchemaReference, SchemaRegistry
from kgov.errors import KgovError
from kgov.kinds.subjects.observe import ObservedSubjects
from kgov.plan.model import Entry
from kgov.schemas.model import Schema, SchemaError
from kgov.schemas.normal import normal_form
from kgov.schemas.references import Ref, dependency_order


@dataclass
class _Progress:
    """What the waves so far did. A task writes only its own subject's version; `failed` is written
    between waves, `down` under the lock by the first task that finds the registry unreachable."""

    versions: dict[str, int | None] = field(default_factory=dict)  # registered or looked up; None: none
    failed: dict[str, str] = field(default_factory=dict)
    down: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self, message: str) -> None:
        with self.lock:
            self.down = self.down or message


def apply_subjects(registry: SchemaRegistry, entries: Sequence[Entry]) -> Mapping[str, str | None]:
    results: dict[str, str | None] = {e.address: None for e in entries}
    writes = {e.name: e for e in entries if e.action in ("create", "update")}
    refs = {n: tuple(Ref(r["name"], r["subject"]) for r in e.after["references"]) for n, e in writes.items()}
    progress = _Progress()
    registering = {n for n, e in writes.items() if e.after["register"]}
    outside = sorted({r.subject for n in registering for r in refs[n]} - registering)
    try:  # the pinned versions of referenced subjects this apply does not register: one batch
        found = registry.latest(outside) if outside else {}
        progress.versions.update({s: (v.version if v is not None else None) for s, v in found.items()})
    except KgovError as exc:
        progress.down = exc.message

    pinned = {r.subject for n in registering for r in refs[n]}  # versions other subjects refer to

    def one(name: str) -> str | None:
        return _write(registry, writes[name], refs[name], progress, name in pinned)

    for wave in waves(dependency_order(list(writes), refs), refs):
        for name, outcome in run_all(one, wave, registry.concurrency).items():
            results[writes[name].address] = outcome
            if outcome is not None and not outcome.startswith("registered, but"):
                progress.failed[name] = outcome
    for entry in entries:
        if entry.action == "delete":
            if progress.down is not None:
                results[entry.address] = progress.down
                continue
            try:
                registry.delete_subject(entry.name)
            except RegistryError as exc:
                results[entry.address] = str(exc)
            except KgovError as exc:
                progress.down = results[entry.address] = exc.message
    return results


def waves(order: Sequence[str], refs: Mapping[str, tuple[Ref, ...]]) -> list[list[str]]:
    """`order` (references first) cut into waves: a subject goes one wave after the latest of the
    subjects it references that come before it in `order`."""
    depth: dict[str, int] = {}
    for name in order:
        depth[name] = 1 + max(
            (depth[r.subject] for r in refs.get(name, ()) if r.subject in depth), default=-1
        )
    out: list[list[str]] = [[] for _ in range(1 + max(depth.values(), default=-1))]
    for name in order:
        out[depth[name]].append(name)
    return out


def _write(
    registry: SchemaRegistry, entry: Entry, refs: tuple[Ref, ...], progress: _Progress, pinned: bool
) -> str | None:
    """One subject: its new version (when the schema changed; its number looked up only when other
    subjects pin it), then its level. The outcome: None when done, else what failed."""
    if progress.down is not None:
        return progress.down
    name = entry.name
    try:
        if entry.after["register"]:
            new = _new_schema(entry, refs, progress)
            if pinned:
                progress.versions[name] = registry.register(new).version
            else:
                registry.add_version(new)
    except RegistryError as exc:
        return _refused(exc)
    except KgovError as exc:  # unreachable: nothing more is tried
        progress.stop(exc.message)
        return exc.message
    if not entry.after["set_level"]:
        return None
    try:
        registry.set_level(name, entry.after["compatibility"])
    except RegistryError as exc:
        return f"registered, but the level was not set: {exc}"
    except KgovError as exc:
        progress.stop(exc.message)
        return f"registered, but the level was not set: {exc}"
    return None


def _new_schema(entry: Entry, refs: tuple[Ref, ...], progress: _Progress) -> NewSchema:
    resolved = []
    for ref in refs:
        if ref.subject in progress.failed:
            raise RegistryError(f"not registered: its reference {ref.subject} failed")
        version = progress.versions.get(ref.subject)
        if version is None:
            raise RegistryError(f"not registered: its reference {ref.subject} has no version")
        resolved.append(SchemaReference(ref.name, ref.subject, version))
    return NewSchema(entry.name, SCHEMA_TYPES[entry.after["format"]], entry.after["schema"], tuple(resolved))


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
