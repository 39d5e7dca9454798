"""Avro schema text to Apache `avro` schema objects, with the two gaps of its checker closed.

1. `avro.compatibility` compares a reader's aliases with the writer's *full* name, but the parser
   keeps aliases as written: a short alias is expanded with its type's namespace first (Avro spec:
   aliases of named types are relative to the type's namespace).
2. `avro`'s parser accepts a default of the wrong type; fastavro validates defaults, so every
   schema goes through fastavro first.
References (named types defined in other subjects) are parsed first into the same name table.
"""

from __future__ import annotations

from typing import Any

import avro.errors
import avro.schema
import fastavro
from avro.name import Names
from fastavro.schema import SchemaParseException, UnknownType

from kgov.schemas.model import Schema, SchemaError
from kgov.schemas.plain import plain_record
from kgov.schemas.source import load_json

NAMED = ("record", "error", "enum", "fixed")


def parse_avro(schema: Schema) -> avro.schema.Schema:
    names = Names()
    fast_named: dict[str, Any] = {}
    for ref in _dependency_order(schema):
        _parse_one(ref, names, fast_named)
    parsed, _ = _parse_one(schema, names, fast_named)
    assert parsed is not None
    return parsed


def checked_avro(schema: Schema) -> object:
    """Raise the SchemaError parse_avro would raise, else return avro_json(schema) (read once, for
    the normal form too). A plain record (kgov/schemas/plain.py) that fastavro accepts is one
    `avro` accepts: its parse, most of the time of checking 10,000 schemas, is skipped for it."""
    names = Names()
    fast_named: dict[str, Any] = {}
    for ref in _dependency_order(schema):
        _parse_one(ref, names, fast_named)
    _, data = _parse_one(schema, names, fast_named, skip_plain=not schema.references)
    return data


def avro_json(schema: Schema) -> object:
    """The schema's JSON with aliases expanded (what both the checker and the normal form read)."""
    return expand_aliases(load_json(schema.text, schema.origin), "")


def _parse_one(
    schema: Schema, names: Names, fast_named: dict[str, Any], skip_plain: bool = False
) -> tuple[avro.schema.Schema | None, object]:
    data = avro_json(schema)
    if not isinstance(data, str | list | dict):
        raise SchemaError(f"{schema.origin}: an Avro schema is a JSON object, array or string")
    try:
        fastavro.parse_schema(data, named_schemas=fast_named)
        if skip_plain and plain_record(data):
            return None, data
        return avro.schema.make_avsc_object(data, names), data
    except (SchemaParseException, UnknownType, avro.errors.AvroException, TypeError, ValueError) as exc:
        raise SchemaError(f"{schema.origin}: invalid Avro schema: {exc}") from None
    except KeyError as exc:  # fastavro indexes some fields (an enum's symbols, a fixed's size)
        raise SchemaError(f"{schema.origin}: invalid Avro schema: missing field {exc}") from None


def _dependency_order(schema: Schema) -> list[Schema]:
    """Referenced schemas, deepest first, each once (a cycle is cut: lint reports cycles)."""
    out: list[Schema] = []
    _visit(schema, set(), out)
    return out


def _visit(s: Schema, seen: set[str], out: list[Schema]) -> None:
    # a module function, not a closure: a closure calling itself is a reference cycle, garbage only
    # the collector frees (kgov/gcpause.py builds the catalog with it paused)
    for ref in s.references:
        key = ref.subject
        if key in seen:
            continue
        seen.add(key)
        _visit(ref.schema, seen, out)
        out.append(ref.schema)


def expand_aliases(node: object, namespace: str) -> object:
    """A copy of the schema JSON whose named types' short aliases are full names."""
    if isinstance(node, list):
        return [expand_aliases(item, namespace) for item in node]
    if not isinstance(node, dict):
        return node
    out = dict(node)
    kind = node.get("type")
    if kind in NAMED and isinstance(node.get("name"), str):
        name: str = node["name"]
        ns = name.rpartition(".")[0] if "." in name else node.get("namespace", namespace)
        ns = ns if isinstance(ns, str) else namespace
        aliases = node.get("aliases")
        if isinstance(aliases, list):
            out["aliases"] = [
                f"{ns}.{a}" if isinstance(a, str) and "." not in a and ns else a for a in aliases
            ]
        fields = node.get("fields")
        if isinstance(fields, list):
            out["fields"] = [
                {**f, "type": expand_aliases(f.get("type"), ns)} if isinstance(f, dict) and "type" in f else f
                for f in fields
            ]
        return out
    for key in ("items", "values"):
        if key in node:
            out[key] = expand_aliases(node[key], namespace)
    if isinstance(kind, dict | list):
        out["type"] = expand_aliases(kind, namespace)
    return out
