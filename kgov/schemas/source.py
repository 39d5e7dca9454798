"""Reading schema files: bounded, regular files only (kgov/readfile.py), JSON parsed bounded
(kgov/jsonread.py) with its errors located at file:line:col."""

from __future__ import annotations

from pathlib import Path

from kgov import jsonread
from kgov.jsonread import JsonProblem
from kgov.readfile import Unreadable, read_regular
from kgov.schemas.model import Schema, SchemaError

MAX_BYTES = 1024 * 1024  # registries refuse far smaller schemas; anything bigger is a mistake
MAX_DEPTH = 200  # nesting of a schema document; deeper is refused before any recursion over it
SUFFIXES = {".avsc": "avro", ".json": "json"}


def read_schema_file(path: Path) -> Schema:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise SchemaError(f"{path}: unknown schema type (name it .avsc for Avro, .json for JSON Schema)")
    try:
        data = read_regular(path, MAX_BYTES)
    except Unreadable as refused:
        raise SchemaError(f"{path}: {refused.reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path}: not UTF-8 (byte {exc.start})") from None
    return Schema(fmt, text, str(path))


def load_json(text: str, origin: str) -> object:
    """Parse JSON text; a syntax error or a too-deep document is a SchemaError at file:line:col."""
    try:
        value = jsonread.loads(text)
    except JsonProblem as problem:  # a syntax error, too deep, an integer too long: never a crash
        raise SchemaError(f"{origin}:{problem.line}:{problem.col}: {problem.message}") from None
    # A document of fewer brackets than MAX_DEPTH is not that deep (strings' brackets count too:
    # never fewer): 10,000 schemas are not walked again for each of a plan's three readings.
    if text.count("[") + text.count("{") >= MAX_DEPTH and json_depth(value) > MAX_DEPTH:
        raise SchemaError(f"{origin}: nested deeper than {MAX_DEPTH} levels")
    return value


def json_depth(doc: object) -> int:
    """Nesting of a JSON document (objects and arrays), without recursion, up to MAX_DEPTH + 1."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest
