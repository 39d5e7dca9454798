"""The data of schemas and compatibility verdicts: frozen, plain, JSON-ready."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kgov.errors import KgovError

FORMATS = ("avro", "json")


class Level(StrEnum):
    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def backward(self) -> bool:
        """The new schema must read data written with the old one(s)."""
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        """The old schema(s) must read data written with the new one."""
        return self.value.startswith(("FORWARD", "FULL"))


def parse_level(text: str) -> Level:
    try:
        return Level(text.strip().upper())
    except ValueError:
        known = ", ".join(level.value for level in Level)
        raise KgovError(f"unknown compatibility level '{text}'", hint=f"one of {known}") from None


@dataclass(frozen=True)
class Reference:
    """A named type or `$ref` defined in another subject: `name` as the referring schema spells it."""

    name: str
    subject: str
    version: int | None
    schema: Schema


@dataclass(frozen=True)
class Schema:
    format: str  # "avro" | "json"
    text: str
    origin: str  # a file name or "subject s version n": where messages point
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Breaking:
    """One breaking change: where (field path), what changed, against which old version, which way."""

    path: str
    change: str
    version: str  # the old version's label (a registry version number or a file name)
    direction: str  # "backward" (new reads old data) | "forward" (old reads new data)
    unchecked: bool = False  # the check could not be done (too deep, too complex): never a pass

    def message(self) -> str:
        way = "new reads old data" if self.direction == "backward" else "old reads new data"
        return f"{self.path}: {self.change} ({way}; old = {self.version})"


@dataclass(frozen=True)
class Verdict:
    level: Level
    breaking: tuple[Breaking, ...] = field(default_factory=tuple)

    @property
    def compatible(self) -> bool:
        return not self.breaking

    def to_json(self) -> dict[str, object]:
        return {
            "compatible": self.compatible,
            "level": self.level.value,
            "messages": [b.message() for b in self.breaking],
        }


class SchemaError(KgovError):
    """A schema file or text that cannot be parsed; the message starts with file:line:col."""
