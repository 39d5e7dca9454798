"""Normal forms (what counts as a new version) and the errors of bad schema text."""

from __future__ import annotations

import pytest

from kgov.schemas.check import check, validate
from kgov.schemas.model import Level, Schema, SchemaError
from kgov.schemas.normal import normal_form

BASE = '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int","default":1}]}'
SAME = [
    '{ "namespace": "n", "name": "R", "type": "record", "doc": "x",\n "fields": [{"type": "int", "name": "a",'
    ' "default": 1, "doc": "y"}]}',
    '{"type":"record","name":"n.R","fields":[{"name":"a","type":{"type":"int"},"default":1}]}',
]
DIFFERENT = [
    '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int","default":2}]}',
    '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int"}]}',
    '{"type":"record","name":"R","namespace":"n","aliases":["Old"],"fields":[{"name":"a","type":"int","default":1}]}',
    '{"type":"record","name":"R","namespace":"m","fields":[{"name":"a","type":"int","default":1}]}',
    '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"long","default":1}]}',
]


@pytest.mark.parametrize("text", SAME)
def test_avro_same_meaning_same_form(text: str) -> None:
    assert normal_form(Schema("avro", text, "a")) == normal_form(Schema("avro", BASE, "b"))


@pytest.mark.parametrize("text", DIFFERENT)
def test_avro_other_meaning_other_form(text: str) -> None:
    assert normal_form(Schema("avro", text, "a")) != normal_form(Schema("avro", BASE, "b"))


def test_avro_alias_order_and_short_alias_do_not_matter() -> None:
    one = '{"type":"record","name":"R","namespace":"n","aliases":["A","n.B"],"fields":[]}'
    two = '{"type":"record","name":"R","namespace":"n","aliases":["n.B","n.A"],"fields":[]}'
    assert normal_form(Schema("avro", one, "a")) == normal_form(Schema("avro", two, "b"))


def test_json_key_order_and_whitespace_do_not_matter() -> None:
    one = '{"type": "object", "properties": {"a": {"type": "string"}}}'
    two = '{"properties":{"a":{"type":"string"}},\n  "type":"object"}'
    assert normal_form(Schema("json", one, "a")) == normal_form(Schema("json", two, "b"))
    other = one.replace("string", "integer")
    assert normal_form(Schema("json", one, "a")) != normal_form(Schema("json", other, "c"))


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ("avro", '{"type":"record","name":"R",\n "fields":[}', "f.avsc:2:12: invalid JSON"),
        (
            "avro",
            '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}',
            "f.avsc: invalid Avro schema: Default value <x> must match schema type: int",
        ),
        (
            "avro",
            '{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}',
            "f.avsc: invalid Avro schema",
        ),
        ("avro", "3", "f.avsc: an Avro schema is a JSON object, array or string"),
        ("json", "[1]", "f.avsc: a JSON Schema is an object or a boolean"),
        ("json", '{"properties":{"a":{"$ref":"#/x"}}}', "$ref '#/x' points at nothing"),
    ],
)
def test_bad_schema_is_a_located_error(fmt: str, text: str, expected: str) -> None:
    with pytest.raises(SchemaError) as err:
        validate(Schema(fmt, text, "f.avsc"))
        check(Schema(fmt, text, "f.avsc"), [("v1", Schema(fmt, text, "f.avsc"))], Level.BACKWARD)
    assert expected in err.value.message


def test_too_deep_is_refused() -> None:
    text = "[" * 300 + "]" * 300
    with pytest.raises(SchemaError) as err:
        validate(Schema("json", text, "deep.json"))
    assert "nested deeper than 200 levels" in err.value.message
