"""The subjects a catalog declares: named by topics' key/value schemas, plus what they reference.

Each gets its schema file, its compatibility level (the topic's, else policy.default_compatibility)
and its references (found from the schemas: kgov/schemas/references.py). A subject whose schema
is missing, invalid or badly referenced carries a `problem`: the plan blocks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kgov.catalog.model import Catalog, Environment, SchemaFile, TopicsFile
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


def subject_levels(catalog: Catalog, refs: Mapping[str, tuple[Ref, ...]]) -> dict[str, str]:
    """The managed subjects and their levels: those topics name (the level of the first topic by
    name to name the subject, its key schema before its value schema; else the policy's default),
    plus every subject they reference, at the default level."""
    default = catalog.settings.policy.default_compatibility
    first: dict[str, tuple[str, str]] = {}  # subject -> (the naming topic, its level)
    for topics_file in catalog.topic_files:  # no sort: among equal names the first in the catalog's
        for subject, (name, level) in _file_levels(topics_file, default).items():  # order keeps it,
            seen = first.get(subject)  # as a stable sort by name would
            if seen is None or name < seen[0]:
                first[subject] = (name, level)
    levels = {subject: level for subject, (_, level) in first.items()}
    pending = list(levels)
    while pending:
        for target in refs.get(pending.pop(), ()):
            if target.subject not in levels:
                levels[target.subject] = default
                pending.append(target.subject)
    return levels


# id(topics file) -> (the file, default level, what it names: subject -> (first topic by name, level)).
# A scoped plan asks of both sides, which share the files unchanged since the base (kgov/review/base.py).
_levels: dict[int, tuple[TopicsFile, str, dict[str, tuple[str, str]]]] = {}
_REMEMBERED = 30_000  # files


def _file_levels(topics_file: TopicsFile, default: str) -> dict[str, tuple[str, str]]:
    known = _levels.get(id(topics_file))
    if known is not None and known[0] is topics_file and known[1] == default:
        return known[2]
    first: dict[str, tuple[str, str]] = {}
    for topic in topics_file.topics:
        for ref in (topic.key_schema, topic.value_schema):
            if ref is not None:
                seen = first.get(ref.subject)
                if seen is None or topic.name < seen[0]:
                    first[ref.subject] = (topic.name, ref.compatibility or default)
    if len(_levels) >= _REMEMBERED:
        _levels.clear()
    _levels[id(topics_file)] = (topics_file, default, first)
    return first


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


def same_subjects(head: Catalog, base: Catalog) -> bool:
    """True when both catalogs want the same subjects in every environment (the desired subjects are
    a function of the schema files, compared by object: kgov/review/base.py shares the unchanged
    ones, and of the levels): no changed name, with nothing derived for any subject."""
    theirs = base.schemas
    if head.schemas.keys() != theirs.keys() or any(f is not theirs[s] for s, f in head.schemas.items()):
        return False
    if head.settings.policy.default_compatibility != base.settings.policy.default_compatibility:
        return False
    refs, _ = find_references({s: Source(f.format, f.text) for s, f in head.schemas.items()})
    return subject_levels(head, refs) == subject_levels(base, refs)
