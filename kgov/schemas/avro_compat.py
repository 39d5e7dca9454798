"""Avro reader/writer compatibility: Apache avro's checker gives the verdict, a walk gives the reasons.

`avro.compatibility.ReaderWriterCompatibilityChecker` is a port of Java Avro's checker (the one
Confluent's and Apicurio's registries run), so its verdict is the one of record. Its results merge
messages and locations into unordered sets and lose the path under unions, so the reasons (field
path, what changed) come from `_Walk`, which follows the same resolution rules of the Avro spec;
the unit cases assert that both agree, and should they ever not, the library's messages are kept.
Both spend from one budget (kgov/schemas/bounds.py), and the walk's trials ("can any branch of
this union read that?") are memoised per pair of types, so shared named types cannot make the
work grow exponentially.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from typing import Any

from avro.compatibility import (
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityResult,
    SchemaCompatibilityType,
)
from avro.schema import (
    ArraySchema,
    EnumSchema,
    FixedSchema,
    MapSchema,
    NamedSchema,
    RecordSchema,
    UnionSchema,
)
from avro.schema import Schema as AvroSchema

from kgov.schemas.bounds import Budget, Search

# Writer type -> reader types that may read it (Avro spec, "Schema Resolution": promotions).
PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}


def reader_problems(
    reader: AvroSchema, writer: AvroSchema, budget: Budget | None = None
) -> list[tuple[str, str]]:
    """(path, change) for each reason `reader` cannot read data written with `writer`; [] if it can.
    Raises bounds.Unchecked when the budget runs out."""
    budget = budget or Budget()
    verdict = _BoundedChecker(budget).get_compatibility(reader, writer)
    compatible = verdict.compatibility is SchemaCompatibilityType.compatible
    problems = [] if compatible else list(_Walk(Search(budget)).check(reader, writer, _root(reader)))
    if not compatible and not problems:  # never drop a verdict: fall back on the library's words
        where = ", ".join(sorted(verdict.locations))
        problems = [(where, m) for m in sorted(verdict.messages)]
    return problems


class _BoundedChecker(ReaderWriterCompatibilityChecker):
    """The library's checker (memoised per pair already), each step paid from the budget."""

    def __init__(self, budget: Budget) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._budget = budget

    def get_compatibility(self, *args: Any, **kwargs: Any) -> SchemaCompatibilityResult:
        self._budget.spend()
        result: SchemaCompatibilityResult = super().get_compatibility(*args, **kwargs)
        return result


def _root(schema: AvroSchema) -> str:
    return schema.name if isinstance(schema, NamedSchema) else schema.type


def _names_match(reader: NamedSchema, writer: NamedSchema) -> bool:
    aliases = reader.props.get("aliases")
    return reader.name == writer.name or (isinstance(aliases, Container) and writer.fullname in aliases)


def _describe(schema: AvroSchema) -> str:
    if isinstance(schema, NamedSchema):
        return f"{schema.type} {schema.fullname}"
    if isinstance(schema, UnionSchema):
        return "union [" + ", ".join(_describe(s) for s in schema.schemas) + "]"
    return str(schema.type)


class _Walk:
    """Reports every reason at its path (`check`), asking trials (`ok`) which union branch fits.

    The reporting walk visits each pair of types once; a trial is a second walk that stops at the
    first problem, memoised in `Search` (pairs the reporting walk has open are assumed fine, as
    under recursion)."""

    def __init__(self, search: Search | None = None, *, reporting: bool = True) -> None:
        search = search or Search(Budget())
        self._search = search
        self._seen: set[tuple[int, int]] = set()
        self._reporting = reporting
        self._trial = _Walk(search, reporting=False) if reporting else self

    def ok(self, reader: AvroSchema, writer: AvroSchema) -> bool:
        trial = self._trial
        return self._search.decide(
            (id(reader), id(writer)), lambda: not any(True for _ in trial._body(reader, writer, ""))
        )

    def check(self, reader: AvroSchema, writer: AvroSchema, path: str) -> Iterator[tuple[str, str]]:
        if not self._reporting:  # the trial walk: one memoised answer for the pair
            if not self.ok(reader, writer):
                yield path, ""
            return
        pair = (id(reader), id(writer))
        yield from self._search.report(self._seen, pair, lambda: self._body(reader, writer, path))

    def _body(self, reader: AvroSchema, writer: AvroSchema, path: str) -> Iterator[tuple[str, str]]:
        if isinstance(writer, UnionSchema):
            yield from self._writer_union(reader, writer, path)
        elif isinstance(reader, UnionSchema):
            if not any(self.ok(branch, writer) for branch in reader.schemas):
                yield path, f"{{W}}'s {_describe(writer)} is not a branch of {{R}}'s {_describe(reader)}"
        elif reader.type != writer.type:
            if reader.type not in PROMOTIONS.get(writer.type, set()):
                yield path, f"{{W}}'s {_describe(writer)} cannot be read as {{R}}'s {_describe(reader)}"
        else:
            yield from self._same_type(reader, writer, path)

    def _writer_union(self, reader: AvroSchema, writer: UnionSchema, path: str) -> Iterator[tuple[str, str]]:
        for branch in writer.schemas:
            if isinstance(reader, UnionSchema):
                if not any(self.ok(r, branch) for r in reader.schemas):
                    yield path, f"{{W}}'s union branch {_describe(branch)} has no match in {{R}}'s union"
            else:
                yield from self.check(reader, branch, path)

    def _same_type(self, reader: AvroSchema, writer: AvroSchema, path: str) -> Iterator[tuple[str, str]]:
        if (
            isinstance(reader, NamedSchema)
            and isinstance(writer, NamedSchema)
            and not _names_match(reader, writer)
        ):
            yield path, f"{{W}}'s {writer.fullname} is named {reader.fullname} in {{R}}, without an alias"
            return
        if isinstance(reader, RecordSchema) and isinstance(writer, RecordSchema):
            yield from self._fields(reader, writer, path)
        elif isinstance(reader, EnumSchema) and isinstance(writer, EnumSchema):
            missing = [s for s in writer.symbols if s not in reader.symbols]
            default = reader.props.get("default")
            if missing and not (default and default in reader.symbols):
                gone = ", ".join(missing)
                yield path, f"{{W}}'s enum symbols {gone} are missing in {{R}}, which has no enum default"
        elif isinstance(reader, FixedSchema) and isinstance(writer, FixedSchema):
            if reader.size != writer.size:
                yield path, f"fixed size {writer.size} in {{W}} is {reader.size} in {{R}}"
        elif isinstance(reader, ArraySchema) and isinstance(writer, ArraySchema):
            yield from self.check(reader.items, writer.items, f"{path}[]")
        elif isinstance(reader, MapSchema) and isinstance(writer, MapSchema):
            yield from self.check(reader.values, writer.values, f"{path}{{}}")

    def _fields(self, reader: RecordSchema, writer: RecordSchema, path: str) -> Iterator[tuple[str, str]]:
        for field in reader.fields:
            sub = f"{path}.{field.name}"
            found = writer.fields_dict.get(field.name)
            for alias in field.props.get("aliases") or ():
                found = found or writer.fields_dict.get(alias)
            if found is not None:
                yield from self.check(field.type, found.type, sub)
            elif not field.has_default:
                # Java Avro's quirk, kept for agreement: an enum-typed field with an enum default is
                # checked against the writer record itself instead of being reported as missing.
                if isinstance(field.type, EnumSchema) and field.type.props.get("default"):
                    yield from self.check(field.type, writer, sub)
                else:
                    yield sub, "field of {R} has no default and is missing in {W}"
