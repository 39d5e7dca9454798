"""The narrow interface through which kgov talks to a Schema Registry (Confluent's API), and its data.

kgov/cluster/registry/adapter.py is the only module speaking HTTP to a registry; memory/registry.py is its
in-memory twin for unit tests. Reads take whole batches (run with bounded concurrency by the
adapter); every method counts as few requests as the API allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

# Confluent's schemaType names <-> kgov's schema formats
SCHEMA_TYPES = {"avro": "AVRO", "json": "JSON"}
FORMATS = {v: k for k, v in SCHEMA_TYPES.items()}


@dataclass(frozen=True)
class SchemaReference:
    name: str  # as the referring schema spells it: an Avro full name, a JSON `$ref` document name
    subject: str
    version: int


@dataclass(frozen=True)
class RegisteredSchema:
    subject: str
    version: int
    id: int
    schema_type: str  # "AVRO" | "JSON" | "PROTOBUF" (Confluent omits it for Avro)
    schema: str
    references: tuple[SchemaReference, ...] = ()


@dataclass(frozen=True)
class NewSchema:
    subject: str
    schema_type: str
    schema: str
    references: tuple[SchemaReference, ...] = ()


class RegistryError(Exception):
    """A request the registry refused; `status` and `code` are Confluent's HTTP status and error code."""

    def __init__(self, message: str, status: int = 0, code: int = 0) -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code

    @property
    def incompatible(self) -> bool:
        return self.code == 409 or self.code == 42203 or self.status == 409


class SchemaRegistry(Protocol):
    @property
    def requests(self) -> int:
        """HTTP requests made so far (benchmarks and tests count them)."""
        ...

    @property
    def concurrency(self) -> int:
        """How many requests callers may have in flight at once (1: one at a time)."""
        ...

    def subjects(self) -> Sequence[str]:
        """Every (non-deleted) subject the registry holds (one request)."""
        ...

    def latest(self, subjects: Sequence[str]) -> Mapping[str, RegisteredSchema | None]:
        """The latest version of each subject; None for a subject without one."""
        ...

    def versions(self, subjects: Sequence[str]) -> Mapping[str, Sequence[RegisteredSchema]]:
        """Every non-deleted version of each subject, oldest first (for transitive levels)."""
        ...

    def schema_at(self, wanted: Sequence[tuple[str, int]]) -> Mapping[tuple[str, int], RegisteredSchema]:
        """Given (subject, version) pairs: those versions (referenced schemas)."""
        ...

    def levels(self, subjects: Sequence[str]) -> Mapping[str, str]:
        """Each subject's effective compatibility level (its own, else the global one)."""
        ...

    def set_level(self, subject: str, level: str) -> None:
        """PUT /config/{subject}: only once the subject has a version (Apicurio refuses earlier)."""
        ...

    def register(self, schema: NewSchema) -> RegisteredSchema:
        """A new version (or the existing one when the same schema is registered again)."""
        ...

    def add_version(self, schema: NewSchema) -> int:
        """register() without looking the version up afterwards: one request, the schema's id
        (Confluent's API answers a registration with the id alone)."""
        ...

    def is_compatible(self, schema: NewSchema, level: str) -> bool:
        """The registry's verdict against the versions `level` (the subject's) names: all if transitive."""
        ...

    def delete_subject(self, subject: str) -> None:
        """Soft delete: the versions stay recoverable in the registry."""
        ...
