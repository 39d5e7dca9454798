"""`kgov lint --base REF`: schema files changed since a git ref, checked for compatibility offline.

The base's schema files are read through git (kgov/gitref.py: no checkout; a shallow clone without
the ref gets an error naming the fetch depth). Only files whose bytes differ are read; a subject is
checked when its file changed or a schema it references did, at its subject's level, against its
version at the ref, by the subject kind's offline checker (kgov/kinds/subjects/compat.py, which
`kgov diff --base` uses too). Here: reading the base, and the rule's severity from policy.rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from kgov.catalog.files import SCHEMA_SUFFIXES
from kgov.catalog.model import Catalog, SchemaFile
from kgov.diagnostics import Diagnostic, Location
from kgov.gitref import (
    TreeFile,
    list_catalog,
    read_blobs,
    repository_of,
    resolve_commit,
    same_in_working_tree,
)
from kgov.kinds.subjects.compat import incompatible
from kgov.policy.compatibility import RULE_SCHEMA_INCOMPATIBLE, SCHEMA_INCOMPATIBLE
from kgov.policy.engine import configured_severity


def base_diagnostics(head: Catalog, catalog_dir: Path, ref: str) -> list[Diagnostic]:
    """One diagnostic per subject whose schema changed incompatibly since `ref` (none when the
    rule is turned off in policy.rules)."""
    rule = SCHEMA_INCOMPATIBLE
    configured = {str(k): str(v) for k, v in head.settings.policy.rules.items()}
    severity = configured_severity(rule, configured)
    top, inside = repository_of(catalog_dir)
    commit = resolve_commit(top, ref)  # checked even when the rule is off: a wrong ref is an error
    if severity is None:
        return []
    base = base_schemas(head, catalog_dir, top, list_catalog(top, commit, inside))
    label = f"{ref} ({commit[:12]})"
    return [
        Diagnostic(RULE_SCHEMA_INCOMPATIBLE, severity, message, location, rule.hint)
        for message, location in compare(head, base, ref, label)
    ]


def base_schemas(
    head: Catalog, catalog_dir: Path, top: Path, files: Sequence[TreeFile]
) -> dict[str, SchemaFile]:
    """The schema files at the ref, by subject: bytes equal to the working tree's are not read
    again (the head's text is theirs). A subject with two files or undecodable bytes is left out."""
    named = [(f, found) for f in files if (found := _subject_of(f.path)) is not None]
    schemas = [f for f, _ in named]
    same = same_in_working_tree(catalog_dir, schemas)
    by_path = {PurePosixPath(s.file).name: s for s in head.schemas.values()}
    blobs = read_blobs(top, [f for f in schemas if f.path not in same])
    out: dict[str, SchemaFile] = {}
    twice: set[str] = set()
    for f, (subject, fmt) in named:
        name = PurePosixPath(f.path).name
        if f.path in same and name in by_path:
            text = by_path[name].text
        else:
            try:
                text = blobs[f.path].decode("utf-8")
            except (KeyError, UnicodeDecodeError):
                continue
        if subject in out:
            twice.add(subject)
        out[subject] = SchemaFile(subject, fmt, f"{f.path}@base", text)
    return {s: f for s, f in out.items() if s not in twice}


def _subject_of(path: str) -> tuple[str, str] | None:
    parts = PurePosixPath(path)
    if len(parts.parts) != 2 or parts.parts[0] != "schemas" or parts.suffix not in SCHEMA_SUFFIXES:
        return None
    return parts.stem, SCHEMA_SUFFIXES[parts.suffix]


def compare(
    head: Catalog, base: Mapping[str, SchemaFile], ref: str, label: str
) -> list[tuple[str, Location]]:
    """(message, location) of each subject whose change breaks its level; silent otherwise."""
    return list(incompatible(head, base, ref, label).values())
