"""The catalog's JSON Schemas, and their errors turned into diagnostics a person can act on.

Messages name the field (and the topic it is in), say what was expected and what was found; a
value is quoted only as a short printable excerpt, and never when the field holds a secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from kgov.catalog import fastcheck
from kgov.catalog.yamlpos import YamlDoc
from kgov.diagnostics import Diagnostic, Location, Severity
from kgov.sanitize import excerpt
from kgov.secrets import SECRET_FIELDS
from kgov.suggest import close_match

if TYPE_CHECKING:  # jsonschema is imported only to explain a file the compiled check failed
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

RULE_STRUCTURE = "structure"

FORMATS = {
    "kgov": "kgov.yaml",
    "topics": "topics/<service>.yaml",
    "acls": "acls/<service>.yaml",
    "cluster": "cluster/<environment>.yaml",
}

# Structure diagnostics listed per file; the rest are counted in one last diagnostic. A 5 MiB file of
# unknown keys gave 187,000 diagnostics, each with a position and a suggestion: 12 s and 580 MB.
MAX_FILE_DIAGNOSTICS = 100


def _is_integer(checker: Any, instance: object) -> bool:
    # JSON Schema counts 6.0 as an integer; Kafka's admin API does not (apply failed after review).
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def schema(kind: str) -> Draft202012Validator:
    """The published JSON Schema of a catalog file kind: 'kgov', 'topics' or 'acls'."""
    from jsonschema import Draft202012Validator, validators

    strict = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )
    text = resources.files("kgov.catalog").joinpath(f"schemas/{kind}.schema.json").read_text("utf-8")
    published = json.loads(text)
    validator: Draft202012Validator = strict(inline_refs(published, published.get("$defs", {})))
    return validator


def inline_refs(node: Any, defs: Mapping[str, Any]) -> Any:
    """The schema with its local `#/$defs/...` references replaced by their definitions.

    Same meaning (our schemas are not recursive); jsonschema then does not resolve a reference for
    each of thousands of topics (about 10% of a large catalog's lint time).
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            return inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [inline_refs(v, defs) for v in node]
    return node


def structure(doc: YamlDoc, kind: str, file: str) -> tuple[list[Diagnostic], frozenset[tuple[Any, ...]]]:
    """The structural diagnostics of a document, and the paths of its errors (unknown fields excepted)."""
    if fastcheck.valid(kind, doc.data):
        return [], frozenset()
    out: list[Diagnostic] = []
    broken: set[tuple[Any, ...]] = set()
    more = 0  # problems past MAX_FILE_DIAGNOSTICS: counted (cheap), not described (positions, hints)
    for error in schema(kind).iter_errors(doc.data):
        for err in _leaves(error):
            if err.validator != "additionalProperties":
                broken.add(tuple(err.absolute_path))
            room = MAX_FILE_DIAGNOSTICS - len(out)
            found = _describe(err, doc, file, kind, room) if room > 0 else []
            out.extend(found)
            more += _problems(err) - len(found)
    listed = sorted(set(out), key=Diagnostic.sort_key)
    if more > 0:
        listed.append(
            Diagnostic(
                RULE_STRUCTURE,
                Severity.ERROR,
                f"and {more} more structure problems in this file, not listed",
                Location(file, *doc.pos(())),
                f"fix the {MAX_FILE_DIAGNOSTICS} listed first; see the {FORMATS.get(kind, kind)} format",
            )
        )
    return listed, frozenset(broken)


def _problems(err: ValidationError) -> int:
    """How many diagnostics `_describe` gives for an error, without describing it."""
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        return sum(1 for key in err.instance if key not in allowed)
    return 1


def structure_diagnostics(doc: YamlDoc, kind: str, file: str) -> list[Diagnostic]:
    return structure(doc, kind, file)[0]


def _leaves(error: ValidationError) -> list[ValidationError]:
    # anyOf (a subject as a string or as a mapping): report the problems of the branch whose type
    # matched; if no branch's type matched, report the anyOf itself ("expected … or …").
    if error.validator in ("anyOf", "oneOf") and error.context:
        same_level = len(error.absolute_path)
        typed = [
            e for e in error.context if not (e.validator == "type" and len(e.absolute_path) == same_level)
        ]
        if typed:
            return [leaf for e in typed for leaf in _leaves(e)]
    return [error]


_JSON_TYPES = {
    "integer": "a whole number",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
}


def type_name(value: Any, secret: bool = False) -> str:
    """How a found value is named in a message: its kind, or a short excerpt of it."""
    if secret and not isinstance(value, dict | list | type(None)):
        return "a literal value (not shown: the field holds a secret)"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float):
        return f"{value!r} (a decimal number)" if value.is_integer() else repr(value)
    if isinstance(value, int):
        digits = len(str(abs(value))) if abs(value) < 10**60 else 61
        return str(value) if digits <= 60 else "a number of more than 60 digits"
    if isinstance(value, str):
        return f"'{excerpt(value)}'"
    return excerpt(repr(value))


def _field(path: tuple[Any, ...]) -> str:
    text = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
    return excerpt(text, 120) or "the file"


def _topic_of(path: tuple[Any, ...], doc: YamlDoc) -> str:
    """' (topic 'orders.created')' when `path` is inside a named topic of a topics file."""
    if len(path) < 2 or path[0] != "topics" or not isinstance(path[1], int):
        return ""
    topics = doc.data.get("topics") if isinstance(doc.data, dict) else None
    item = topics[path[1]] if isinstance(topics, list) and path[1] < len(topics) else None
    name = item.get("name") if isinstance(item, dict) else None
    return f" (topic '{excerpt(name)}')" if isinstance(name, str) and name else ""


def _describe(
    err: ValidationError, doc: YamlDoc, file: str, file_kind: str = "", room: int = MAX_FILE_DIAGNOSTICS
) -> list[Diagnostic]:
    """The diagnostics of one error: one, or one per unknown key (at most `room` of them)."""
    schema_of: Any = err.schema  # jsonschema types it loosely; ours are always mappings
    value_of: Any = err.validator_value
    path = tuple(err.absolute_path)
    secret = bool(path) and path[-1] in SECRET_FIELDS
    where = doc.pos(path)
    name = _field(path) + _topic_of(path, doc)
    found = type_name(err.instance, secret)
    hint = None
    kind = err.validator
    if kind == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list(schema_of.get("properties", {}))
        out: list[Diagnostic] = []
        for key in err.instance:
            if key in allowed:
                continue
            if len(out) >= room:
                break
            guess = close_match(str(key), allowed)
            message = f"unknown field '{excerpt(str(key))}'" + (f" in {name}" if path else "")
            if guess:
                message += f"; did you mean '{guess}'?"
            line, col = doc.pos((*path, key))
            out.append(
                Diagnostic(
                    RULE_STRUCTURE,
                    Severity.ERROR,
                    message,
                    Location(file, line, col),
                    f"allowed here: {', '.join(allowed)}" if allowed else None,
                )
            )
        return out
    if kind == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else err.message
        message = f"missing required field '{missing}'" + (f" in {name}" if path else "")
        hint = f"add '{missing}:' here"
    elif kind == "type":
        expected = value_of
        wanted = " or ".join(
            _JSON_TYPES.get(str(t), str(t)) for t in (expected if isinstance(expected, list) else [expected])
        )
        message = f"{name}: expected {wanted}, got {found}"
        if wanted == "a whole number" and isinstance(err.instance, float | bool):
            hint = "Kafka wants a whole number here: write it without a decimal point or quotes"
    elif kind == "enum":
        choices = [str(c) for c in value_of]
        message = f"{name}: {found} is not one of {', '.join(choices)}"
        guess = close_match(str(err.instance)[:100], choices, 0.5)
        if guess and not secret:
            message += f"; did you mean '{guess}'?"
    elif kind == "const":
        message = f"{name}: must be {err.validator_value!r}, got {found}"
    elif kind == "minimum":
        message = f"{name}: {found} is below the minimum {err.validator_value}"
    elif kind == "maximum":
        message = f"{name}: {found} is above the maximum {err.validator_value}"
    elif kind == "pattern":
        message = f"{name}: {found} does not match {err.validator_value}"
    elif kind == "minLength":
        message = f"{name}: must not be empty"
    elif kind == "maxLength" and isinstance(err.instance, str):
        message = f"{name}: {len(err.instance)} characters, longer than the maximum {err.validator_value}"
    elif kind == "maxItems" and isinstance(err.instance, list):
        message = f"{name}: {len(err.instance)} items, more than the maximum {err.validator_value}"
    elif kind in ("maxProperties", "minProperties"):
        message = f"{name}: give exactly one of {', '.join(schema_of.get('properties', {}))}"
    elif kind == "uniqueItems":
        message = f"{name}: lists an item twice"
    else:  # jsonschema's own wording quotes the value: keep only the rule it broke
        message = f"{name}: does not satisfy '{kind}' of the file format"
    if kind == "anyOf" and path and path[-1] in ("key_schema", "value_schema"):
        message = f"{name}: expected a subject name or {{subject: ..., compatibility: ...}}"
    if kind == "type" and path and path[-1] == "topics":
        hint = "topics is a list: each item starts with '- name: ...'"
    if hint is None:
        hint = f"see the {FORMATS.get(file_kind, 'catalog')} format in docs/catalog.md"
    return [Diagnostic(RULE_STRUCTURE, Severity.ERROR, message, Location(file, *where), hint)]
