"""Checking a subject's schema once for validity and normal form (issue 23: 10,000 subjects), and
skipping `avro`'s parse for plain records (kgov/schemas/plain.py), give exactly what parsing with
both parsers and reading the JSON again gave: compared here on schemas at the edge of "plain"."""

from __future__ import annotations

import itertools
import json
import random

from kgov.schemas import json_compat
from kgov.schemas.avro_parse import parse_avro
from kgov.schemas.check import _load_json_schema, validated
from kgov.schemas.model import Reference, Schema, SchemaError
from kgov.schemas.normal import normal_form
from kgov.schemas.plain import plain_record

NAMES = [
    "id",
    "Event",
    "_x9",
    "a-b",
    "1a",
    "é",
    "string",
    "record",
    "error",
    "union",
    "",
    "a.b",
    " id",
    "id\n",
    5,
]
NAMESPACES = [None, "bench", "a.b_c", "", "a..b", ".a", "a.", "a-b", "é", 5, "string"]
TYPES = [
    "string",
    "long",
    "null",
    "strin",
    "Event",
    {"type": "string"},
    ["null", "string"],
    None,
    5,
    "record",
]
EXTRA = [{}, {"default": 1}, {"default": "x"}, {"aliases": ["y"]}, {"order": "up"}, {"doc": 3}, {"doc": "d"}]


def outcome(schema: Schema, new: bool) -> tuple[str, str]:
    try:
        if new:
            return "ok", normal_form(schema, validated(schema))
        if schema.format == "avro":  # before: both parsers, the JSON read again for the normal form
            parse_avro(schema)
        else:
            json_compat.json_docs(schema, _load_json_schema)
        return "ok", normal_form(schema)
    except SchemaError as exc:
        return "refused", exc.message
    except Exception as exc:  # any other escape must be the same either way
        return "raised", type(exc).__name__


def record(rng: random.Random) -> object:
    doc: dict[str, object] = {"type": rng.choice(["record", "record", "record", "enum", "error"])}
    doc["name"] = rng.choice(NAMES[:3] * 8 + NAMES)
    namespace = rng.choice(NAMESPACES[:3] * 8 + NAMESPACES)
    if namespace is not None or rng.random() < 0.1:
        doc["namespace"] = namespace
    if rng.random() < 0.2:
        doc["doc"] = rng.choice(["text", 3, None])
    fields: list[object] = []
    for _ in range(rng.randrange(0, 4)):
        field: dict[str, object] = {"name": rng.choice(NAMES[:3] * 8 + NAMES)}
        field["type"] = rng.choice(TYPES[:3] * 3 + TYPES)
        field.update(rng.choice(EXTRA[:1] * 4 + EXTRA))
        fields.append(field if rng.random() > 0.03 else "id")
    doc["fields"] = fields if rng.random() > 0.05 else {"id": "string"}
    if rng.random() < 0.1:
        doc[rng.choice(["aliases", "extra", "logicalType"])] = ["x"]
    if rng.random() < 0.05:
        del doc[rng.choice(list(doc))]
    return doc


def test_checked_once_agrees_with_both_parsers_and_a_second_reading() -> None:
    rng = random.Random(23)
    plain = 0
    for i in range(5000):
        doc = record(rng)
        schema = Schema("avro", json.dumps(doc), f"s{i}.avsc")
        assert outcome(schema, new=True) == outcome(schema, new=False), doc
        plain += plain_record(doc)
    assert plain > 50  # the shortcut was taken, often


def test_every_small_plain_shape_agrees() -> None:
    for name, namespace, field_name, kind in itertools.product(NAMES, NAMESPACES, NAMES, TYPES):
        doc: dict[str, object] = {
            "type": "record",
            "name": name,
            "fields": [{"name": field_name, "type": kind}],
        }
        if namespace is not None:
            doc["namespace"] = namespace
        schema = Schema("avro", json.dumps(doc), "s.avsc")
        assert outcome(schema, new=True) == outcome(schema, new=False), doc


def test_a_repeated_field_name_or_empty_record_is_not_plain() -> None:
    two = {
        "type": "record",
        "name": "E",
        "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}],
    }
    assert not plain_record(two)
    assert not plain_record({"type": "record", "name": "E", "fields": []})
    assert plain_record(
        {"type": "record", "name": "E", "namespace": "a.b", "fields": [{"name": "a", "type": "int"}]}
    )
    for doc in (two, {"type": "record", "name": "E", "fields": []}):
        schema = Schema("avro", json.dumps(doc), "s.avsc")
        assert outcome(schema, new=True) == outcome(schema, new=False)


def test_a_schema_with_references_is_parsed_by_both_as_before() -> None:
    ref = Schema(
        "avro",
        json.dumps(
            {"type": "record", "name": "Id", "namespace": "n", "fields": [{"name": "v", "type": "string"}]}
        ),
        "id.avsc",
    )
    top = {"type": "record", "name": "E", "namespace": "n", "fields": [{"name": "id", "type": "string"}]}
    schema = Schema("avro", json.dumps(top), "e.avsc", (Reference("n.Id", "id-value", None, ref),))
    assert outcome(schema, new=True) == outcome(schema, new=False)


def test_json_schemas_are_unchanged() -> None:
    for text in ('{"type": "object"}', "true", "[1]", "{", '{"type": "string", "minLength": 2}'):
        schema = Schema("json", text, "s.json")
        assert outcome(schema, new=True) == outcome(schema, new=False)
