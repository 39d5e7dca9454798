"""References between catalog files: ACLs → topics, topics → schema files; schemas that parse."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from kgov.catalog.model import AccessFile, AclEntry
from kgov.diagnostics import Location, Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule, topic_file
from kgov.schemas.references import Source, dependency_order, find_references
from kgov.schemas.wellformed import avro_named_types, line_of, schema_problem
from kgov.suggest import Budget, close_match, close_matches


class _Suggester:
    """Did-you-mean over many names: compares only with names of the same or a similar prefix (the
    service), else of about the same length, so that each suggestion of a 10,000-topic catalog costs
    milliseconds; kgov.suggest bounds the rest (a hostile catalog's long names, many unknown ones)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        self.by_prefix: dict[str, list[str]] = {}
        for name in self.names:
            self.by_prefix.setdefault(name.split(".", 1)[0], []).append(name)
        self.by_length = _by_length(self.names)
        self.prefixes_by_length = _by_length(self.by_prefix)
        self.budget = Budget()

    def __call__(self, name: str) -> str:
        prefix = name.split(".", 1)[0]
        pool = self.by_prefix.get(prefix)
        if not pool:
            near = close_matches(prefix, _near(self.prefixes_by_length, prefix), 3, 0.6, self.budget)
            pool = [n for p in near for n in self.by_prefix[p]]
        if not pool:
            pool = list(_near(self.by_length, name))
        guess = close_match(name, pool, 0.75, self.budget)
        return f"; did you mean '{guess}'?" if guess else ""


def _by_length(names: Iterable[str]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for name in names:
        out.setdefault(len(name), []).append(name)
    return out


def _near(by_length: dict[int, list[str]], word: str) -> Iterator[str]:
    """Names of about the length of `word` (within 2), closest lengths first."""
    for delta in (0, -1, 1, -2, 2):
        yield from by_length.get(len(word) + delta, ())


def granted_topics(entry: AclEntry, operation: str, ordered: list[str]) -> list[str]:
    """The topics of `ordered` (sorted names) on which a custom ACL entry allows `operation`."""
    if entry.resource != "topic" or entry.permission != "allow":
        return []
    if operation not in entry.operations and "all" not in entry.operations:
        return []
    if entry.pattern == "literal":
        if entry.name == "*":
            return ordered
        at = bisect_left(ordered, entry.name)
        return ordered[at : at + 1] if at < len(ordered) and ordered[at] == entry.name else []
    out = []
    for name in ordered[bisect_left(ordered, entry.name) :]:  # a prefix's names sort together
        if not name.startswith(entry.name):
            break
        out.append(name)
    return out


@rule(
    "unknown-topic-reference",
    "ACLs name catalog topics",
    severity=Severity.ERROR,
    message="produces or consumes names a topic the catalog does not define",
    hint="fix the name, or add the topic to topics/<service>.yaml",
    doc="""
Every topic in an ACL file's `produces` and `consumes` must be defined in `topics/`: a typo would
otherwise grant access to a topic nobody has (and leave the real one unreadable). Custom `acls:`
entries may name anything, including topics outside the catalog.
""",
    examples=(
        Example(
            False,
            {"acls/orders.yaml": "service: orders\nprincipal: User:orders\nproduces: [orders.crated]\n"},
            line=3,
            note="a typo (did you mean 'orders.created'?)",
        ),
    ),
)
def check_acl_topics(ctx: Context) -> Iterator[Finding]:
    names = ctx.topic_names
    skipped = ctx.catalog.skipped_topics
    did_you_mean: _Suggester | None = None
    for af in ctx.catalog.access_files:
        for field in ("produces", "consumes"):
            if _all_in(names, getattr(af, field)):
                continue  # every name a catalog topic (asked in C): nothing to report
            for i, name in enumerate(getattr(af, field)):
                if name not in names and name not in skipped:
                    did_you_mean = did_you_mean or _Suggester(names)
                    yield Finding(
                        af.loc(field, i),
                        f"{field}: topic '{name}' is not in the catalog{did_you_mean(name)}",
                    )


def _all_in(names: frozenset[str], listed: Iterable[str]) -> bool:
    """True when every listed name is one of `names` (False for an unhashable one: the loop says)."""
    try:
        return names.issuperset(listed)
    except TypeError:
        return False


def _all_have_files(ctx: Context) -> bool:
    """True when every subject a topic names (each once) has a schema file."""
    subjects = ctx.catalog.schemas
    return all(subject in subjects for subject in ctx.referenced_subjects)


@rule(
    "missing-schema",
    "schema subjects have files",
    severity=Severity.ERROR,
    message="a topic names a schema subject with no file in schemas/",
    hint="add schemas/<subject>.avsc (or .json), or fix the subject name",
    doc="""
`key_schema` and `value_schema` name Schema Registry subjects; each must have its schema in
`schemas/<subject>.avsc` (Avro) or `schemas/<subject>.json` (JSON Schema).
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": topic_file(
                    "orders", "orders.created", extra="    value_schema: orders.created\n"
                )
            },
            line=9,
        ),
    ),
)
def check_subjects(ctx: Context) -> Iterator[Finding]:
    subjects = ctx.catalog.schemas
    if _all_have_files(ctx):
        return  # every subject a topic names has its file
    did_you_mean: _Suggester | None = None
    for topic in ctx.topics:
        for field in ("key_schema", "value_schema"):
            ref = getattr(topic, field)
            if ref is not None and ref.subject not in subjects:
                did_you_mean = did_you_mean or _Suggester(subjects)
                yield Finding(
                    topic.loc(field),
                    f"topic '{topic.name}': {field} '{ref.subject}' has no file in schemas/"
                    + did_you_mean(ref.subject),
                    f"add schemas/{ref.subject}.avsc (or .json)",
                )


@rule(
    "invalid-schema",
    "schema files parse",
    severity=Severity.ERROR,
    message="a schema file is not valid JSON, not a valid Avro schema, or not a valid JSON Schema",
    hint="fix the schema; .avsc files hold Avro, .json files hold JSON Schema",
    doc="""
Every file in `schemas/` must parse: `.avsc` as an Avro schema (fastavro's `parse_schema`: unknown
types, missing fields, bad names, …) and `.json` as a JSON Schema (checked against its meta-schema,
the draft named by its `$schema`, else the latest). JSON syntax errors are reported at their line
and column.
""",
    examples=(
        Example(
            False,
            {
                "schemas/orders.created-value.avsc": (
                    '{"type": "record", "name": "OrderCreated",\n "fields": [\n'
                    '  {"name": "id", "type": "strin"}\n ]\n}\n'
                )
            },
            line=3,
            note="an unknown type",
        ),
        Example(
            False,
            {
                "schemas/orders.created-value.avsc": (
                    '{"type": "record",\n "name": "OrderCreated"\n "fields": []}\n'
                )
            },
            line=3,
            note="a missing comma",
        ),
        Example(
            False,
            {"schemas/orders.cancelled-value.json": '{\n  "type": "object",\n  "required": "id"\n}\n'},
            line=3,
            note="required must be a list",
        ),
    ),
)
def check_schema_files(ctx: Context) -> Iterator[Finding]:
    schemas = ctx.catalog.schemas
    refs, _ = find_references({s: Source(f.format, f.text) for s, f in schemas.items()})
    for schema in schemas.values():
        ordered = dependency_order([r.subject for r in refs.get(schema.subject, ())], refs)
        named = avro_named_types([schemas[subject].text for subject in ordered]) if ordered else {}
        problem = schema_problem(schema, named)
        if problem:
            message, line, col = problem
            yield Finding(Location(schema.file, line, col), f"schema '{schema.subject}': {message}")


def _writers(files: tuple[AccessFile, ...], topics: frozenset[str]) -> set[str]:
    produced = {name for af in files for name in af.produces}
    ordered = sorted(topics)
    for af in files:
        for entry in af.acls:
            produced.update(granted_topics(entry, "write", ordered))
    return produced


def _all_produced(files: tuple[AccessFile, ...], consumed: Iterable[str], topics: frozenset[str]) -> bool:
    """True when each consumed catalog topic is in a `produces`: then no ACL grant needs reading (at
    100,000 topics, sorting their names for the prefixed grants was most of the rule)."""
    direct = {name for af in files for name in af.produces}
    return all(name in direct or name not in topics for name in consumed)


@rule(
    "consumed-not-produced",
    "consumed topics have a producer",
    severity=Severity.WARNING,
    message="a topic is consumed by a service but no service may produce to it",
    hint="add the topic to the producing service's `produces` in acls/<service>.yaml",
    doc="""
A topic that some service `consumes` should have a writer in the catalog (`produces`, or a custom
ACL that allows `write`); otherwise consumers wait for records that never come. (A topic written by
something outside the catalog can turn this rule off or down in `policy.rules`.)
""",
    examples=(
        Example(
            False,
            {
                "acls/orders.yaml": "service: orders\nprincipal: User:orders\nconsumes: [orders.created]\n",
            },
            line=4,
            file="topics/orders.yaml",
            note="reported at the topic: it is consumed but nobody produces it",
        ),
    ),
)
def check_producers(ctx: Context) -> Iterator[Finding]:
    files = ctx.catalog.access_files
    consumers: dict[str, list[str]] = {}
    for af in files:
        for name in af.consumes:
            consumers.setdefault(name, []).append(af.service)
    if not consumers:
        return
    if _all_produced(files, consumers, ctx.topic_names):
        return
    produced = _writers(files, ctx.topic_names)
    for topic in ctx.topics:
        who = consumers.get(topic.name)
        if who and topic.name not in produced:
            yield Finding(
                topic.loc("name"),
                f"topic '{topic.name}' is consumed by {', '.join(sorted(set(who)))} "
                "but produced by no service",
            )


@rule(
    "unused-schema",
    "schema files are used",
    severity=Severity.WARNING,
    message="a schema file is not the key_schema or value_schema of any topic",
    hint="use it from a topic, or delete the file",
    doc="""
Every schema file should be the `key_schema` or `value_schema` of a topic: an unused file is either
a leftover or a typo on the topic's side (which `missing-schema` then reports too).
""",
    examples=(Example(False, {"schemas/orders.updated-value.avsc": '"string"\n'}, line=1),),
)
def check_unused_schemas(ctx: Context) -> Iterator[Finding]:
    used = set(ctx.referenced_subjects)
    refs, _ = find_references({s: Source(f.format, f.text) for s, f in ctx.catalog.schemas.items()})
    used |= {r.subject for found in refs.values() for r in found}  # referenced by another schema
    used |= ctx.catalog.skipped_subjects
    for subject, schema in ctx.catalog.schemas.items():
        if subject not in used:
            yield Finding(Location(schema.file), f"schema '{subject}' is used by no topic")


@rule(
    "schema-references",
    "schema references resolve",
    severity=Severity.ERROR,
    message="a schema references another subject that is missing, ambiguous, or part of a cycle",
    hint="define each referenced type in exactly one schema file, and break reference cycles",
    doc="""
A schema may use a type defined in another subject (see docs/catalog.md, "Schema references"): an
Avro named type used but not defined in the file is looked up by full name among the other `.avsc`
files, and a JSON Schema `$ref` to `<subject>.json` names that subject. Each reference must name
exactly one subject, and references may not form a cycle (a registry cannot register either
subject first). An Avro type no file defines is reported by `invalid-schema`.
""",
    examples=(
        Example(
            False,
            {
                "schemas/orders.a.json": '{"properties": {\n  "b": {"$ref": "orders.b.json"}}}\n',
                "schemas/orders.b.json": '{"properties": {"a": {"$ref": "orders.a.json"}}}\n',
            },
            line=2,
            note="two JSON Schemas that refer to each other",
        ),
        Example(
            False,
            {"schemas/orders.a.json": '{"properties": {\n  "x": {"$ref": "orders.nope.json"}}}\n'},
            line=2,
            note="a $ref to a subject the catalog does not have",
        ),
    ),
)
def check_schema_references(ctx: Context) -> Iterator[Finding]:
    schemas = ctx.catalog.schemas
    refs, problems = find_references({s: Source(f.format, f.text) for s, f in schemas.items()})
    for subject, message in problems:
        schema = schemas[subject]
        if schema.format == "avro" and "defined by no subject" in message:
            continue  # invalid-schema reports it at the type's line
        token = re.search(r"'([^']+)'|type (\S+) ", message)
        if message.startswith("reference cycle: "):  # point at the reference to the next subject
            after = message.split(" -> ")[1]
            name = next((r.name for r in refs.get(subject, ()) if r.subject == after), None)
        else:
            name = next((g for g in token.groups() if g), None) if token else None
        line, col = line_of(schema.text, name) if name else (1, 1)
        yield Finding(Location(schema.file, line, col), f"schema '{subject}': {message}")
