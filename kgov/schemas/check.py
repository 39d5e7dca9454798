"""Compatibility of a new schema with a subject's history at a level (Confluent's seven levels).

BACKWARD: the new schema reads data written with the latest old one; FORWARD: the latest old one
reads data written with the new; FULL: both; *_TRANSITIVE: the same against every old version.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgov.schemas import avro_compat, json_compat
from kgov.schemas.avro_parse import parse_avro
from kgov.schemas.model import Breaking, Level, Schema, SchemaError, Verdict
from kgov.schemas.source import load_json


def validate(schema: Schema) -> None:
    """Parse the schema (and its references); raise SchemaError if it is not a valid schema."""
    if schema.format == "avro":
        parse_avro(schema)
    else:
        json_compat.json_docs(schema, _load_json_schema)


def check(new: Schema, old: Sequence[tuple[str, Schema]], level: Level) -> Verdict:
    """`old` is the history, oldest first, each with its label (e.g. "version 3" or a file name)."""
    if any(s.format != new.format for _, s in old):
        raise SchemaError(f"{new.origin}: the schema type differs from the old version's")
    validate(new)
    against = [] if level is Level.NONE else (list(old) if level.transitive else list(old[-1:]))
    found: list[Breaking] = []
    for label, previous in reversed(against):  # newest first: the most relevant breakage leads
        if level.backward:
            found += _problems(new, previous, label, "backward")
        if level.forward:
            found += _problems(previous, new, label, "forward")
    return Verdict(level, tuple(found))


def _problems(reader: Schema, writer: Schema, label: str, direction: str) -> list[Breaking]:
    if reader.format == "avro":
        problems = avro_compat.reader_problems(parse_avro(reader), parse_avro(writer))
    else:
        problems = json_compat.reader_problems(
            json_compat.json_docs(reader, _load_json_schema), json_compat.json_docs(writer, _load_json_schema)
        )
    r, w = ("new", "old") if direction == "backward" else ("old", "new")
    return [
        Breaking(path, text.replace("{R}", r).replace("{W}", w), label, direction) for path, text in problems
    ]


def _load_json_schema(schema: Schema) -> object:
    doc = load_json(schema.text, schema.origin)
    if not isinstance(doc, dict | bool):
        raise SchemaError(f"{schema.origin}: a JSON Schema is an object or a boolean")
    return doc
