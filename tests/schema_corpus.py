"""The differential corpus: (old versions, new, level) for Avro and JSON Schema.

The hand-written cases of tests/unit/schemas/cases.yaml (the Avro spec's resolution rules and
Confluent's JSON Schema rules), plus generated variations: each mutation of a base schema at
BACKWARD, FORWARD and FULL (and some transitive histories).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).parent / "unit" / "schemas" / "cases.yaml"
LEVELS = ("BACKWARD", "FORWARD", "FULL")


@dataclass(frozen=True)
class Pair:
    name: str
    format: str  # "avro" | "json"
    old: tuple[str, ...]
    new: str
    level: str


AVRO_BASE: dict[str, Any] = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "qty", "type": "int"},
        {"name": "price", "type": "float"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": "long"}},
        {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
        {
            "name": "customer",
            "type": {"type": "record", "name": "Customer", "fields": [{"name": "cid", "type": "long"}]},
        },
    ],
}


def _field(doc: dict[str, Any], name: str) -> dict[str, Any]:
    field: dict[str, Any] = next(f for f in doc["fields"] if f["name"] == name)
    return field


def _set_type(name: str, new_type: object) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        _field(doc, name)["type"] = new_type

    return edit


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["fields"] = [f for f in doc["fields"] if f["name"] != name]

    return edit


def _add(field: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["fields"].append(field)

    return edit


def _inner(edit: Callable[[dict[str, Any]], None], name: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        edit(_field(doc, name)["type"])

    return apply


def _rename(new: str, aliases: list[str] | None) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["name"] = new
        if aliases is not None:
            doc["aliases"] = aliases

    return edit


def _status(symbols: list[str], default: str | None = None) -> Callable[[dict[str, Any]], None]:
    enum: dict[str, Any] = {"type": "enum", "name": "Status", "symbols": symbols}
    if default:
        enum["default"] = default
    return _set_type("status", enum)


AVRO_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "add string with default": _add({"name": "x", "type": "string", "default": ""}),
    "add string without default": _add({"name": "x", "type": "string"}),
    "add nullable with null default": _add({"name": "x", "type": ["null", "long"], "default": None}),
    "drop id (no default)": _drop("id"),
    "drop note (default)": _drop("note"),
    "qty int->long": _set_type("qty", "long"),
    "qty int->double": _set_type("qty", "double"),
    "qty int->string": _set_type("qty", "string"),
    "price float->double": _set_type("price", "double"),
    "price float->int": _set_type("price", "int"),
    "id string->bytes": _set_type("id", "bytes"),
    "id string->nullable": _set_type("id", ["null", "string"]),
    "note drop null branch": _set_type("note", "string"),
    "note add int branch": _set_type("note", ["null", "string", "int"]),
    "status add symbol": _status(["NEW", "PAID", "SHIPPED"]),
    "status add symbol with default": _status(["NEW", "PAID", "SHIPPED"], "NEW"),
    "status remove symbol": _status(["NEW"]),
    "status reorder symbols": _status(["PAID", "NEW"]),
    "tags items string->bytes": _set_type("tags", {"type": "array", "items": "bytes"}),
    "tags items string->int": _set_type("tags", {"type": "array", "items": "int"}),
    "attrs values long->double": _set_type("attrs", {"type": "map", "values": "double"}),
    "attrs values long->int": _set_type("attrs", {"type": "map", "values": "int"}),
    "hash size 4->8": _set_type("hash", {"type": "fixed", "name": "Hash", "size": 8}),
    "customer add field no default": _inner(_add({"name": "email", "type": "string"}), "customer"),
    "customer add field with default": _inner(
        _add({"name": "email", "type": "string", "default": ""}), "customer"
    ),
    "customer cid long->int": _inner(_set_type("cid", "int"), "customer"),
    "record renamed": _rename("Purchase", None),
    "record renamed with short alias": _rename("Purchase", ["Order"]),
    "record renamed with full alias": _rename("Purchase", ["shop.Order"]),
    "namespace changed": lambda d: d.update(namespace="store"),
    "field renamed with alias": lambda d: _field(d, "qty").update(name="quantity", aliases=["qty"]),
    "field renamed without alias": lambda d: _field(d, "qty").update(name="quantity"),
    "doc added": lambda d: d.update(doc="An order."),
}

JSON_BASE: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "id": {"type": "string", "maxLength": 36},
        "qty": {"type": "integer", "minimum": 0},
        "price": {"type": "number"},
        "status": {"type": "string", "enum": ["NEW", "PAID"]},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["id"],
}


def _prop(name: str, schema: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["properties"].__setitem__(name, schema)


def _prop_edit(name: str, **changes: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["properties"][name].update(changes)


def _unprop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["properties"].pop(name)


JSON_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "add property (open)": _prop("note", {"type": "string"}),
    "add empty-schema property (open)": _prop("note", {}),
    "remove property (open)": _unprop("price"),
    "close content model": lambda d: d.update(additionalProperties=False),
    "partially open string": lambda d: d.update(additionalProperties={"type": "string"}),
    "require qty": lambda d: d["required"].append("qty"),
    "unrequire id": lambda d: d.update(required=[]),
    "qty integer->number": _prop_edit("qty", type="number"),
    "price number->integer": _prop_edit("price", type="integer"),
    "price number->string": _prop_edit("price", type="string"),
    "id string->[string,null]": _prop_edit("id", type=["string", "null"]),
    "status enum extended": _prop_edit("status", enum=["NEW", "PAID", "SHIPPED"]),
    "status enum narrowed": _prop_edit("status", enum=["NEW"]),
    "id maxLength 36->20": _prop_edit("id", maxLength=20),
    "id maxLength 36->64": _prop_edit("id", maxLength=64),
    "id minLength added": _prop_edit("id", minLength=1),
    "qty minimum 0->1": _prop_edit("qty", minimum=1),
    "qty maximum added": _prop_edit("qty", maximum=100),
    "qty minimum removed": lambda d: d["properties"]["qty"].pop("minimum"),
    "tags items string->integer": _prop_edit("tags", items={"type": "integer"}),
    "tags maxItems added": _prop_edit("tags", maxItems=10),
    "id pattern added": _prop_edit("id", pattern="^[a-z]+$"),
    "title and description": lambda d: d.update(title="Order", description="An order."),
}

JSON_CLOSED_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "closed: add property": _prop("note", {"type": "string"}),
    "closed: remove property": _unprop("price"),
    "closed: open content model": lambda d: d.pop("additionalProperties"),
}


def _variations(fmt: str, base: dict[str, Any], mutations: dict[str, Any], tag: str = "") -> list[Pair]:
    out = []
    old = json.dumps(base)
    for name, edit in mutations.items():
        doc = copy.deepcopy(base)
        edit(doc)
        for level in LEVELS:
            out.append(Pair(f"{tag}{name}", fmt, (old,), json.dumps(doc), level))
    return out


def _transitive(fmt: str, base: dict[str, Any], mutations: dict[str, Any]) -> list[Pair]:
    """History (mutated, base), new = base with a doc: only a transitive level sees the mutated one."""
    out = []
    new = json.dumps({**base, ("doc" if fmt == "avro" else "description"): "again"})
    for name, edit in mutations.items():
        doc = copy.deepcopy(base)
        edit(doc)
        for level in ("BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"):
            out.append(Pair(f"history: {name}", fmt, (json.dumps(doc), json.dumps(base)), new, level))
    return out


def _recognisable(text: str) -> str:
    """Apicurio recognises a JSON Schema only with `$schema` or top-level `properties`: give it one."""
    doc = json.loads(text)
    if isinstance(doc, dict) and "$schema" not in doc and "properties" not in doc:
        doc = {"$schema": "http://json-schema.org/draft-07/schema#", **doc}
    return json.dumps(doc)


def corpus() -> list[Pair]:
    cases = yaml.safe_load(CASES.read_text("utf-8"))
    pairs = [
        Pair(f"case: {c['name']}", fmt, tuple(c["old"]), c["new"], c["level"])
        for fmt in ("avro", "json")
        for c in cases[fmt]
        if c["level"] != "NONE"
    ]
    pairs = [
        Pair(p.name, p.format, tuple(map(_recognisable, p.old)), _recognisable(p.new), p.level)
        if p.format == "json"
        else p
        for p in pairs
    ]
    pairs += _variations("avro", AVRO_BASE, AVRO_MUTATIONS)
    pairs += _transitive("avro", AVRO_BASE, AVRO_MUTATIONS)
    pairs += _transitive("json", JSON_BASE, JSON_MUTATIONS)
    pairs += _variations("json", JSON_BASE, JSON_MUTATIONS)
    closed = {**copy.deepcopy(JSON_BASE), "additionalProperties": False}
    pairs += _variations("json", closed, JSON_CLOSED_MUTATIONS)
    return pairs
