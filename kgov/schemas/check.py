"""Compatibility of a new schema with a subject's history at a level (Confluent's seven levels).

BACKWARD: the new schema reads data written with the latest old one; FORWARD: the latest old one
reads data written with the new; FULL: both; *_TRANSITIVE: the same against every old version.
A comparison that cannot be done (a schema nested deeper than the checker goes, or one too complex
to compare within the budget: kgov/schemas/bounds.py) is a breaking change marked `unchecked`, so
no caller can take it for a pass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from kgov.schemas import avro_compat, json_compat
from kgov.schemas.avro_parse import checked_avro, parse_avro
from kgov.schemas.bounds import MAX_NESTING, MAX_TOTAL_STEPS, Budget, Unchecked, nesting
from kgov.schemas.model import Breaking, Level, Schema, SchemaError, Verdict
from kgov.schemas.source import MAX_DEPTH, json_depth, load_json


def validate(schema: Schema) -> None:
    """Parse the schema (and its references); raise SchemaError if it is not a valid schema."""
    validated(schema)


def validated(schema: Schema) -> object | None:
    """validate(schema); for Avro, return what normal_form reads (avro_json: read once for both)."""
    if schema.format == "avro":
        return checked_avro(schema)
    json_compat.json_docs(schema, _load_json_schema)
    return None


def check(new: Schema, old: Sequence[tuple[str, Schema]], level: Level) -> Verdict:
    """`old` is the history, oldest first, each with its label (e.g. "version 3" or a file name)."""
    if any(s.format != new.format for _, s in old):
        raise SchemaError(f"{new.origin}: the schema type differs from the old version's")
    against = [] if level is Level.NONE else (list(old) if level.transitive else list(old[-1:]))
    new_too_deep = too_deep(new)
    if new_too_deep is None:
        validate(new)
    elif not against:  # nothing to compare: as invalid as validate() would find it
        raise SchemaError(f"{new.origin}: {new_too_deep}")
    found: list[Breaking] = []
    total = Budget(MAX_TOTAL_STEPS)  # for the whole history: its length cannot multiply the work
    for label, previous in reversed(against):  # newest first: the most relevant breakage leads
        why = new_too_deep or too_deep(previous)
        try:
            if why is not None:
                raise Unchecked(why)
            if level.backward:
                found += _problems(new, previous, label, "backward", Budget(total=total))
            if level.forward:
                found += _problems(previous, new, label, "forward", Budget(total=total))
        except Unchecked as exc:
            way = "backward" if level.backward else "forward"
            found.append(Breaking("$", f"could not be checked: {exc.why}", label, way, unchecked=True))
            break  # the verdict is a failure already; the rest would spend more of the same
    return Verdict(level, tuple(found))


def too_deep(schema: Schema) -> str | None:
    """Why the checker will not compare this schema (or one it references), else None."""
    for one in _with_references(schema):
        try:
            doc = json.loads(one.text)
        except RecursionError:
            return f"{one.origin} is nested too deeply to read"
        except ValueError:
            continue  # not JSON: validate() says why
        if json_depth(doc) > MAX_DEPTH:
            return f"{one.origin} is nested deeper than {MAX_DEPTH} JSON levels"
        levels, _ = nesting(doc, one.format)
        if levels > MAX_NESTING:
            return f"{one.origin} is nested deeper than {MAX_NESTING} levels of schemas"
    return None


def _with_references(schema: Schema) -> list[Schema]:
    out, stack, seen = [], [schema], set()
    while stack:
        one = stack.pop()
        if id(one) not in seen:
            seen.add(id(one))
            out.append(one)
            stack.extend(ref.schema for ref in one.references)
    return out


def _problems(reader: Schema, writer: Schema, label: str, direction: str, budget: Budget) -> list[Breaking]:
    try:
        if reader.format == "avro":
            problems = avro_compat.reader_problems(parse_avro(reader), parse_avro(writer), budget)
        else:
            problems = json_compat.reader_problems(
                json_compat.json_docs(reader, _load_json_schema),
                json_compat.json_docs(writer, _load_json_schema),
                budget,
            )
    except RecursionError:  # references may add up past what each file's own bound allows
        raise Unchecked("nested too deeply to compare") from None
    r, w = ("new", "old") if direction == "backward" else ("old", "new")
    return [
        Breaking(path, text.replace("{R}", r).replace("{W}", w), label, direction) for path, text in problems
    ]


def _load_json_schema(schema: Schema) -> object:
    doc = load_json(schema.text, schema.origin)
    if not isinstance(doc, dict | bool):
        raise SchemaError(f"{schema.origin}: a JSON Schema is an object or a boolean")
    return doc
