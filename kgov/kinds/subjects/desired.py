"""The subjects a catalog declares: named by topics' key/value schemas, plus what they reference.

Each gets its schema file, its compatibility level (the topic's, else policy.default_compatibility)
and its references (found from the schemas: kgov/schemas/references.py). A subject whose schema
is missing, invalid or badly referenced carries a `problem`: the plan blocks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter

from kgov.catalog.model import Catalog, Environment, SchemaFile
from kgov.schemas.check import validated
from kgov.schemas.model import Reference, Schema, SchemaError
from kgov.schemas.normal import normal_form
from kgov.schemas.references import Ref, Source, find_references


@dataclass(frozen=True)
class DesiredSubject:
    subject: str
    format: str  # "avro" | "json"
    text: str
    file: str
    level: str
    references: tuple[Ref, ...] = ()
    normal: str = ""  # the normal form: equal normal forms mean no new version
    problem: str | None = None


_NAME = attrgetter("name")


def subject_levels(catalog: Catalog, refs: Mapping[str, tuple[Ref, ...]]) -> dict[str, str]:
    """The managed subjects and their levels: those topics name (the topic's level, else the
    policy's default), plus every subject they reference, at the default level."""
    default = catalog.settings.policy.default_compatibility
    levels: dict[str, str] = {}
    for topic in sorted(catalog.topics(), key=_NAME):  # the first topic to name a subject sets its level
        for ref in (topic.key_schema, topic.value_schema):
            if ref is not None and ref.subject not in levels:
                levels[ref.subject] = ref.compatibility or default
    pending = list(levels)
    while pending:
        for target in refs.get(pending.pop(), ()):
            if target.subject not in levels:
                levels[target.subject] = default
                pending.append(target.subject)
    return levels


def known_subjects(
    files: Mapping[str, SchemaFile], refs: Mapping[str, tuple[Ref, ...]]
) -> dict[str, DesiredSubject]:
    """Every schema file as a subject with its references, level not yet set."""
    return {s: DesiredSubject(s, f.format, f.text, f.file, "", refs.get(s, ())) for s, f in files.items()}


def desired_subjects(catalog: Catalog, env: Environment) -> dict[str, DesiredSubject]:
    files = catalog.schemas
    refs, problems = find_references({s: Source(f.format, f.text) for s, f in files.items()})
    levels = subject_levels(catalog, refs)
    trouble: dict[str, list[str]] = {}
    for subject, message in problems:
        trouble.setdefault(subject, []).append(message)
    known = known_subjects(files, refs)
    out: dict[str, DesiredSubject] = {}
    for subject, level in sorted(levels.items()):
        if subject not in known:
            missing = f"no schema file schemas/{subject}.avsc or .json in the catalog"
            out[subject] = DesiredSubject(subject, "", "", "", level, problem=missing)
            continue
        found = known[subject]
        problem = "; ".join(trouble.get(subject, [])) or None
        normal = ""
        try:
            schema = as_schema(found, known)
            normal = normal_form(schema, validated(schema))  # the schema's JSON read once for both
        except SchemaError as exc:
            problem = problem or exc.message
        # dataclasses.replace, without its generic work (10,000 subjects)
        out[subject] = DesiredSubject(
            subject, found.format, found.text, found.file, level, found.references, normal, problem
        )
    return out


def as_schema(subject: DesiredSubject, known: Mapping[str, DesiredSubject], depth: int = 0) -> Schema:
    """The subject's schema with its references resolved from `known` (the catalog's subjects)."""
    if depth > 32:
        raise SchemaError(f"{subject.file}: references nested deeper than 32 levels (a cycle?)")
    refs = []
    for ref in subject.references:
        target = known.get(ref.subject)
        if target is None:
            raise SchemaError(f"{subject.file}: reference {ref.name} to unknown subject {ref.subject}")
        refs.append(Reference(ref.name, ref.subject, None, as_schema(target, known, depth + 1)))
    return Schema(subject.format, subject.text, subject.file, tuple(refs))
