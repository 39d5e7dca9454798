"""Whether a schema file parses: Avro through fastavro, JSON Schema against its draft's meta-schema.

Lint runs this on every schema file, so the costly libraries load only when needed: fastavro for the
first Avro file, and jsonschema only when a JSON Schema's draft has no compiled meta-schema check or
fails it (kgov/catalog/fastcheck.py: the compiled check answers "valid", jsonschema explains "not").
"""

from __future__ import annotations

import json
import re
from typing import Any

from kgov import jsonread
from kgov.catalog import fastcheck
from kgov.catalog.model import SchemaFile
from kgov.jsonread import JsonProblem
from kgov.sanitize import excerpt

# The drafts jsonschema implements, by their $schema URI without the trailing '#' (a test keeps this
# equal to jsonschema's own list), and those with a compiled meta-schema check.
DIALECTS = frozenset(
    {
        "http://json-schema.org/draft-03/schema",
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    }
)
COMPILED_DRAFTS = {
    "http://json-schema.org/draft-04/schema": "draft4",
    "http://json-schema.org/draft-06/schema": "draft6",
    "http://json-schema.org/draft-07/schema": "draft7",
}


def line_of(text: str, token: str, *, last: bool = False) -> tuple[int, int]:
    """Line and column of the first (or last) `"token"` in a JSON text, else (1, 1)."""
    at = text.rfind(json.dumps(token)) if last else text.find(json.dumps(token))
    if at < 0:
        return 1, 1
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def avro_named_types(texts: list[str]) -> dict[str, Any]:
    """The named types that Avro schema texts define, in order; texts that do not parse add none (their
    own problems are reported at their own files)."""
    from fastavro import parse_schema

    named: dict[str, Any] = {}
    for text in texts:
        try:
            parse_schema(jsonread.loads(text), named_schemas=named)
        except Exception:
            continue
    return named


def schema_problem(schema: SchemaFile, named: dict[str, Any] | None = None) -> tuple[str, int, int] | None:
    """Why a schema file does not parse, and where; None when it does. `named`: the Avro types its
    references (other subjects' schemas) define."""
    try:
        data: Any = jsonread.loads(schema.text)  # bounded: never a crash on nesting or a huge integer
    except JsonProblem as problem:
        return f"not valid JSON: {problem.message.removeprefix('invalid JSON: ')}", problem.line, problem.col
    if schema.format == "json":
        return _json_schema_problem(schema.text, data)
    return _avro_problem(schema.text, data, named)


def _json_schema_problem(text: str, data: Any) -> tuple[str, int, int] | None:
    if not isinstance(data, dict | bool):
        return "a JSON Schema is an object (or true/false)", 1, 1
    dialect = data.get("$schema") if isinstance(data, dict) else None
    if dialect is not None and (not isinstance(dialect, str) or dialect.rstrip("#") not in DIALECTS):
        line, col = line_of(text, "$schema")
        return f"unknown JSON Schema draft {excerpt(repr(dialect))} in $schema", line, col
    compiled = COMPILED_DRAFTS.get(dialect.rstrip("#")) if isinstance(dialect, str) else None
    if compiled and fastcheck.valid(compiled, data):
        return None
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(data).check_schema(data)  # type: ignore[arg-type]  # true/false are schemas too
    except SchemaError as exc:
        where = next((str(p) for p in reversed(exc.path) if isinstance(p, str)), None)
        line, col = line_of(text, where) if where else (1, 1)
        return f"not a valid JSON Schema: {excerpt(exc.message, 200)}", line, col
    except RecursionError:
        return "not a valid JSON Schema: nested too deeply", 1, 1
    return None


def _avro_problem(text: str, data: Any, named: dict[str, Any] | None) -> tuple[str, int, int] | None:
    from fastavro import parse_schema

    try:
        parse_schema(data, named_schemas=dict(named or {}))
    except Exception as exc:
        message = str(exc).strip() or type(exc).__name__
        quoted = re.search(r"'([^']+)'|\"([^\"]+)\"", message)
        token = next(g for g in quoted.groups() if g) if quoted else message
        line, col = line_of(text, token)
        if line == 1 and col == 1 and isinstance(exc, KeyError):
            message = f"missing field {message}"
        # fastavro quotes the schema it could not parse: a short printable excerpt only.
        return f"not a valid Avro schema: {type(exc).__name__}: {excerpt(message, 200)}", line, col
    twice = _field_named_twice(data)
    if twice is not None:  # fastavro accepts it; Java's Avro, the registry and kgov's checker do not
        record, field = twice
        line, col = line_of(text, field, last=True)  # the second of the two
        return (
            f"not a valid Avro schema: record {excerpt(record)} has two fields named {excerpt(field)}",
            line,
            col,
        )
    return None


def _field_named_twice(node: Any, depth: int = 0) -> tuple[str, str] | None:
    """(record, field) of the first record with two fields of one name, walking the schema's JSON."""
    if depth > 200:  # fastavro parsed it already; deeper than any real schema, stop looking
        return None
    if isinstance(node, list):
        return next((f for n in node if (f := _field_named_twice(n, depth + 1))), None)
    if not isinstance(node, dict):
        return None
    fields = node.get("fields") if node.get("type") == "record" else None
    if isinstance(fields, list):
        seen: set[str] = set()
        for field in fields:
            name = field.get("name") if isinstance(field, dict) else None
            if isinstance(name, str) and name in seen:
                return str(node.get("name")), name
            if isinstance(name, str):
                seen.add(name)
    return next((f for v in node.values() if (f := _field_named_twice(v, depth + 1))), None)
