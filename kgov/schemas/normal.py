"""Normal forms: two schemas with the same normal form mean the same, so no new version is needed.

Avro: the spec's Parsing Canonical Form (full names, primitives as strings, only the attributes that
matter, in a fixed order) plus the attributes PCF drops but that change how data is read or
resolved: field defaults, enum defaults, aliases (expanded to full names, sorted) and logical types.
`doc`, attribute order and whitespace never matter. JSON Schema: sorted keys, no whitespace.
"""

from __future__ import annotations

import json
from typing import Any

from kgov.schemas.avro_parse import avro_json
from kgov.schemas.model import Schema
from kgov.schemas.source import load_json

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
ORDER = ("name", "type", "fields", "symbols", "items", "values", "size")
COMPLEX = {"record", "error", "enum", "fixed", "array", "map"}
EXTRAS = ("default", "aliases", "logicalType", "precision", "scale")


def normal_form(schema: Schema, avro_data: object = None) -> str:
    """`avro_data`: avro_json(schema) when the caller has it (kgov/schemas/check.py: validated)."""
    if schema.format == "avro":
        value = _Avro().norm(avro_json(schema) if avro_data is None else avro_data, "")
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(load_json(schema.text, schema.origin), sort_keys=True, separators=(",", ":"))


class _Avro:
    def __init__(self) -> None:
        self.defined: set[str] = set()

    def fullname(self, name: str, namespace: str) -> str:
        return name if "." in name or not namespace else f"{namespace}.{name}"

    def norm(self, node: object, namespace: str) -> Any:
        if isinstance(node, str):
            if node in PRIMITIVES:
                return node
            full = self.fullname(node, namespace)
            return full if full in self.defined or node not in self.defined else node
        if isinstance(node, list):
            return [self.norm(item, namespace) for item in node]
        if not isinstance(node, dict):
            return node
        kind = node.get("type")
        out: dict[str, Any] = {}
        if isinstance(node.get("name"), str) and kind in ("record", "error", "enum", "fixed"):
            raw = node["name"]
            ns = raw.rpartition(".")[0] if "." in raw else str(node.get("namespace") or namespace)
            out["name"] = self.fullname(raw, ns)
            self.defined.add(out["name"])
            namespace = ns
        if isinstance(kind, str) and kind in PRIMITIVES and not any(k in node for k in EXTRAS):
            return kind
        out["type"] = kind if isinstance(kind, str) and kind in COMPLEX else self.norm(kind, namespace)
        if isinstance(node.get("fields"), list):
            out["fields"] = [self.field(f, namespace) for f in node["fields"]]
        for key in ("symbols", "size"):
            if key in node:
                out[key] = node[key]
        for key in ("items", "values"):
            if key in node:
                out[key] = self.norm(node[key], namespace)
        for key in EXTRAS:
            if key in node:
                out[key] = _sorted_if_aliases(key, node[key])
        return {k: out[k] for k in (*ORDER, *EXTRAS) if k in out}

    def field(self, node: object, namespace: str) -> Any:
        if not isinstance(node, dict):
            return node
        out = {"name": node.get("name"), "type": self.norm(node.get("type"), namespace)}
        for key in ("default", "aliases"):
            if key in node:
                out[key] = _sorted_if_aliases(key, node[key])
        return out


def _sorted_if_aliases(key: str, value: object) -> object:
    return sorted(value) if key == "aliases" and isinstance(value, list) else value
