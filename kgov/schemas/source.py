"""Reading schema files: bounded, regular files only, JSON errors located at file:line:col."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from kgov.schemas.model import Schema, SchemaError

MAX_BYTES = 1024 * 1024  # registries refuse far smaller schemas; anything bigger is a mistake
MAX_DEPTH = 200  # nesting of a schema document; deeper is refused before any recursion over it
SUFFIXES = {".avsc": "avro", ".json": "json"}


def read_schema_file(path: Path) -> Schema:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise SchemaError(f"{path}: unknown schema type (name it .avsc for Avro, .json for JSON Schema)")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SchemaError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SchemaError(f"{path}: not a regular file")
        data = os.read(fd, MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise SchemaError(f"{path}: larger than {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path}: not UTF-8 (byte {exc.start})") from None
    return Schema(fmt, text, str(path))


def load_json(text: str, origin: str) -> object:
    """Parse JSON text; a syntax error or a too-deep document is a SchemaError at file:line:col."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{origin}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SchemaError(f"{origin}: nested too deeply") from None
    if _depth(value) > MAX_DEPTH:
        raise SchemaError(f"{origin}: nested deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: object) -> int:
    """Nesting depth without recursion (the document is untrusted)."""
    deepest, stack = 0, [(value, 1)]
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
