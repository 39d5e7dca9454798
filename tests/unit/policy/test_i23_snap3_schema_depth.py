"""schema-too-deep passes over a schema of few brackets without parsing it (issue 23: 10,000 schemas
in a plan's lint): the same findings as parsing and walking every schema, for random schemas of
every depth around both limits, brackets in strings, invalid JSON and both formats."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from kgov.diagnostics import Location
from kgov.policy.compatibility import _FEW_BRACKETS, check_schema_depth
from kgov.policy.registry import Finding
from kgov.schemas.bounds import MAX_NESTING, nesting, position
from kgov.schemas.source import MAX_DEPTH, json_depth


def old_check(ctx: Any) -> Iterator[Finding]:  # 8a90fed's, every schema parsed
    for schema in ctx.catalog.schemas.values():
        try:
            doc = json.loads(schema.text)
        except (ValueError, RecursionError):
            continue
        if json_depth(doc) > MAX_DEPTH:
            yield Finding(
                Location(schema.file, 1, 1),
                f"schema '{schema.subject}' nests deeper than {MAX_DEPTH} levels of JSON",
            )
            continue
        levels, names = nesting(doc, schema.format)
        if levels > MAX_NESTING:
            line, col = position(schema.text, names, schema.format) or (1, 1)
            yield Finding(
                Location(schema.file, line, col),
                f"schema '{schema.subject}' nests more than {MAX_NESTING} levels of types "
                "(the compatibility checker goes no deeper)",
            )


def avro_nest(levels: int, rng: random.Random) -> object:
    node: object = rng.choice(("string", {"type": "int"}, ["null", "long"]))
    lean = rng.random() < 0.4  # one bracket a level: the fewest a depth can be written with
    for i in range(levels):
        way = rng.choice(("array", "map") if lean else ("array", "map", "record", "union", "wrapped"))
        if way == "array":
            node = {"type": "array", "items": node}
        elif way == "map":
            node = {"type": "map", "values": node}
        elif way == "record":
            node = {"type": "record", "name": f"R{i}", "fields": [{"name": f"f{i}", "type": node}]}
        elif way == "union":
            node = ["null", node]
        else:
            node = {"type": node}
    return node


def json_nest(levels: int, rng: random.Random) -> object:
    node: object = {"type": "string"}
    for i in range(levels):
        way = rng.choice(("properties", "items", "anyOf", "plain"))
        if way == "properties":
            node = {"type": "object", "properties": {f"p{i}": node}}
        elif way == "items":
            node = {"type": "array", "items": node}
        elif way == "anyOf":
            node = {"anyOf": [node, {"type": "null"}]}
        else:
            node = {"x": [node]}  # JSON levels, not schema levels
    return node


def schema_text(rng: random.Random, fmt: str) -> str:
    levels = rng.choice((0, 1, 5, 30, 31, 32, 33, 63, 64, 65, 66, 99, 100, 101, 199, 200, 201))
    doc = (avro_nest if fmt == "avro" else json_nest)(levels, rng)
    text = json.dumps(doc, indent=rng.choice((None, 1)))
    if rng.random() < 0.2:  # brackets in strings count, never the other way
        text = text.replace('"string"', '"' + "[{" * rng.randrange(1, 40) + '"', 1)
    if rng.random() < 0.1:
        text = text[: rng.randrange(len(text) + 1)]  # not JSON (or a prefix that is)
    return text


@pytest.mark.parametrize("seed", range(60))
def test_the_same_findings_as_parsing_every_schema(seed: int) -> None:
    rng = random.Random(seed)
    schemas = {}
    for i in range(40):
        fmt = rng.choice(("avro", "json"))
        subject = f"s{i}-value"
        schemas[subject] = SimpleNamespace(
            text=schema_text(rng, fmt), file=f"schemas/{subject}.{fmt}", subject=subject, format=fmt
        )
    ctx: Any = SimpleNamespace(catalog=SimpleNamespace(schemas=schemas))
    assert list(check_schema_depth(ctx)) == list(old_check(ctx))


def test_the_shortcut_is_within_both_limits() -> None:
    arrays = "[" * _FEW_BRACKETS + "]" * _FEW_BRACKETS  # all brackets nested: as deep as they go
    assert json_depth(json.loads(arrays)) <= MAX_DEPTH
    records = avro_nest(_FEW_BRACKETS, random.Random(1))
    assert nesting(records, "avro")[0] <= MAX_NESTING
    one_more = {"type": "array", "items": json.loads(json.dumps(avro_nest(MAX_NESTING, random.Random(2))))}
    text = json.dumps(one_more)
    if nesting(one_more, "avro")[0] > MAX_NESTING:  # a finding needs more brackets than the shortcut skips
        assert text.count("{") + text.count("[") > _FEW_BRACKETS
