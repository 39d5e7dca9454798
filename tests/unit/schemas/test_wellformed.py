"""Schema files that parse: what fastavro lets through and the registry does not."""

from __future__ import annotations

import json

from kgov.catalog.model import SchemaFile
from kgov.schemas.wellformed import schema_problem


def _avro(doc: object) -> SchemaFile:
    return SchemaFile("s-value", "avro", "schemas/s-value.avsc", json.dumps(doc, indent=2))


def test_a_record_with_two_fields_of_one_name_is_refused_at_the_second() -> None:
    inner = {
        "type": "record",
        "name": "Inner",
        "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "long"}],
    }
    doc = {
        "type": "record",
        "name": "Outer",
        "fields": [{"name": "a", "type": "string"}, {"name": "in", "type": inner}],
    }
    problem = schema_problem(_avro(doc))
    assert problem is not None
    message, line, _ = problem
    assert message == "not a valid Avro schema: record Inner has two fields named a"
    text = _avro(doc).text
    assert text.splitlines()[line - 1].strip() == '"name": "a",'
    assert line == text.count("\n", 0, text.rfind('"a"')) + 1


def test_the_same_field_name_in_two_records_is_fine() -> None:
    inner = {"type": "record", "name": "Inner", "fields": [{"name": "a", "type": "int"}]}
    doc = {
        "type": "record",
        "name": "Outer",
        "fields": [{"name": "a", "type": "string"}, {"name": "in", "type": inner}],
    }
    assert schema_problem(_avro(doc)) is None
