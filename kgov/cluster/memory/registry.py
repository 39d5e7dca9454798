"""An in-memory Schema Registry with Apicurio 3.3's ccompat behaviour, for unit tests.

Like the sandbox's registry: an incompatible registration is refused (RegistryError 409), the
same schema registered again returns its existing version, a soft-deleted subject disappears from
reads, an unknown subject's level is the global one. Stricter than it where kgov must not rely on
leniency: `set_level` refuses a subject without a version (Confluent-era Apicurio answered 404).
`down = True` makes every request fail like an unreachable registry. Compatibility is judged by
kgov's own checker (tests of the checker against the real registry are the differential ones).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from kgov.cluster.registry.port import FORMATS, NewSchema, RegisteredSchema, RegistryError
from kgov.errors import ClusterError
from kgov.schemas.check import check
from kgov.schemas.model import Level, Reference, Schema, SchemaError


class MemoryRegistry:
    def __init__(self, global_level: str = "BACKWARD") -> None:
        self.global_level = global_level
        self.history: dict[str, list[RegisteredSchema]] = {}
        self.deleted: set[str] = set()
        self.overrides: dict[str, str] = {}
        self.down = False
        self.calls: list[str] = []  # method name per request, in order
        self.concurrency = 1  # > 1: callers may call from several threads (writes are locked)
        self._next_id = 1
        self._lock = threading.RLock()

    @property
    def requests(self) -> int:
        return len(self.calls)

    def _request(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise ClusterError("the Schema Registry at memory:// is unreachable (Connection refused)")

    def _live(self, subject: str) -> list[RegisteredSchema]:
        return [] if subject in self.deleted else self.history.get(subject, [])

    def subjects(self) -> Sequence[str]:
        self._request("subjects")
        return sorted(s for s in self.history if self._live(s))

    def latest(self, subjects: Sequence[str]) -> Mapping[str, RegisteredSchema | None]:
        out: dict[str, RegisteredSchema | None] = {}
        for subject in subjects:
            self._request("latest")
            live = self._live(subject)
            out[subject] = live[-1] if live else None
        return out

    def versions(self, subjects: Sequence[str]) -> Mapping[str, Sequence[RegisteredSchema]]:
        out: dict[str, Sequence[RegisteredSchema]] = {}
        for subject in subjects:
            self._request("versions")
            out[subject] = list(self._live(subject))
            self.calls.extend("version" for _ in out[subject])
        return out

    def schema_at(self, wanted: Sequence[tuple[str, int]]) -> Mapping[tuple[str, int], RegisteredSchema]:
        out: dict[tuple[str, int], RegisteredSchema] = {}
        for subject, version in wanted:
            self._request("version")
            for s in self._live(subject):
                if s.version == version:
                    out[(subject, version)] = s
        return out

    def levels(self, subjects: Sequence[str]) -> Mapping[str, str]:
        out: dict[str, str] = {}
        for subject in subjects:
            self._request("level")
            out[subject] = self.overrides.get(subject, self.global_level)
        return out

    def set_level(self, subject: str, level: str) -> None:
        with self._lock:
            self._request("set_level")
            if not self._live(subject):
                raise RegistryError(f"cannot set the level of {subject}: HTTP 404 (40401)", 404, 40401)
            self.overrides[subject] = level

    def register(self, schema: NewSchema) -> RegisteredSchema:
        with self._lock:
            self._request("register")
            self._request("lookup")
            return self._add(schema)

    def add_version(self, schema: NewSchema) -> int:
        with self._lock:
            self._request("register")
            return self._add(schema).id

    def _add(self, schema: NewSchema) -> RegisteredSchema:
        """The registration itself (the caller holds the lock and has counted the requests)."""
        live = self._live(schema.subject)
        for existing in live:
            if existing.schema == schema.schema and existing.references == schema.references:
                return existing
        new = self._as_schema(schema)
        level = Level(self.overrides.get(schema.subject, self.global_level))
        old = [(f"version {s.version}", self._as_schema(s)) for s in live]
        try:
            verdict = check(new, old, level)
        except SchemaError as exc:
            raise RegistryError(
                f"cannot register {schema.subject}: HTTP 422 (42201) {exc.message}", 422, 42201
            ) from None
        if not verdict.compatible:
            raise RegistryError(
                f"cannot register {schema.subject}: HTTP 409 (409) incompatible", 409, 409
            )
        if schema.subject in self.deleted:
            self.deleted.discard(schema.subject)
            self.history[schema.subject] = []
        versions = self.history.setdefault(schema.subject, [])
        number = versions[-1].version + 1 if versions else 1
        registered = RegisteredSchema(
            schema.subject, number, self._next_id, schema.schema_type, schema.schema, schema.references
        )
        self._next_id += 1
        versions.append(registered)
        return registered

    def is_compatible(self, schema: NewSchema, level: str) -> bool:
        self._request("compatibility")
        live = self._live(schema.subject)
        if not live:
            return True
        old = [(f"version {s.version}", self._as_schema(s)) for s in live]
        return check(self._as_schema(schema), old, Level(level)).compatible

    def delete_subject(self, subject: str) -> None:
        with self._lock:
            self._request("delete")
            if not self._live(subject):
                raise RegistryError(f"cannot delete {subject}: HTTP 404 (40401)", 404, 40401)
            self.deleted.add(subject)
            self.overrides.pop(subject, None)

    def _as_schema(self, schema: NewSchema | RegisteredSchema) -> Schema:
        refs = []
        for ref in schema.references:
            target = next((s for s in self.history.get(ref.subject, []) if s.version == ref.version), None)
            if target is None:
                raise RegistryError(
                    f"reference {ref.subject} version {ref.version} not found: HTTP 422", 422, 42201
                )
            refs.append(Reference(ref.name, ref.subject, ref.version, self._as_schema(target)))
        fmt = FORMATS.get(schema.schema_type, "avro")
        return Schema(fmt, schema.schema, f"{schema.subject}", tuple(refs))
