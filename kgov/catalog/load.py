"""Read a catalog folder: files (catalog.files) → YAML with positions → JSON Schema check
(catalog.messages) → model objects (catalog.build).

Every problem becomes a Diagnostic; loading never stops at the first one. A file with structural
errors contributes no model objects (so later rules never see half-valid data), but the others do.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kgov.catalog import build
from kgov.catalog.cache import Cache
from kgov.catalog.fastyaml import LazyPositions
from kgov.catalog.fastyaml import read as read_yaml
from kgov.catalog.files import (
    RULE_FILES,
    RULE_YAML,
    SCHEMA_SUFFIXES,
    SETTINGS_FILE,
    YAML_SUFFIXES,
    ReadBudget,
    Refused,
    files_error,
    list_files,
    read_file,
)
from kgov.catalog.messages import FORMATS, RULE_STRUCTURE, structure
from kgov.catalog.model import AccessFile, Catalog, ClusterFile, SchemaFile, Settings, Source, TopicsFile
from kgov.catalog.yamlpos import YamlDoc, YamlProblem
from kgov.diagnostics import Diagnostic, Location, Severity
from kgov.errors import CatalogError
from kgov.gcpause import no_cycles
from kgov.suggest import bounded, close_match

__all__ = ["RULE_FILES", "RULE_STRUCTURE", "RULE_YAML", "Loaded", "load_catalog"]


@dataclass(frozen=True)
class Loaded:
    catalog: Catalog
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Read:
    doc: YamlDoc
    broken: frozenset[tuple[Any, ...]]  # paths of structural errors, unknown fields excepted

    def breaks(self, *prefix: Any) -> bool:
        """True if an error lies at or below `prefix` (or at an ancestor of it)."""
        n = len(prefix)
        return any(p[:n] == prefix or prefix[: len(p)] == p for p in self.broken)


def load_catalog(root: Path, *, cached: bool = True) -> Loaded:
    """The catalog in `root`. `cached=False`: never through KGOV_CACHE_DIR (the base of a review,
    whose files must come from git alone: kgov/review/base.py)."""
    if not root.is_dir():
        raise CatalogError(
            f"catalog folder '{root}' " + ("is a file, not a folder" if root.exists() else "does not exist"),
            hint="pass the folder holding kgov.yaml, topics/, acls/ and schemas/ (default: ./catalog)",
        )
    cache = Cache.from_env() if cached else None
    token = _cache.set(cache)
    try:
        with bounded(), no_cycles():  # the did-you-means of every file share one budget
            return _load(root)
    finally:
        _cache.reset(token)
        if cache is not None:
            cache.trim()


def _load(root: Path) -> Loaded:
    diags: list[Diagnostic] = []
    budget = ReadBudget()  # files and bytes of the whole load
    settings = _load_settings(root, diags, budget)
    skipped = build.Skipped(set(), set())
    topic_files = tuple(
        tf
        for p in list_files(root / "topics", root, YAML_SUFFIXES, diags)
        if (tf := _load_topics(p, root, diags, skipped, budget)) is not None
    )
    access_files = tuple(
        af
        for p in list_files(root / "acls", root, YAML_SUFFIXES, diags)
        if (af := _load_access(p, root, diags, budget)) is not None
    )
    schemas = _load_schemas(root, diags, budget)
    cluster_files = _load_cluster_files(root, settings, diags, budget)
    left_out = budget.summary(root)
    if left_out is not None:
        diags.append(left_out)
    catalog = Catalog(
        root,
        settings,
        topic_files,
        access_files,
        schemas,
        frozenset(skipped.topics),
        frozenset(skipped.subjects),
        cluster_files,
    )
    return Loaded(catalog, tuple(diags))


# `kgov diff --base` and `kgov plan --base` load the catalog twice, at the ref and in the working tree,
# and most files are the same text in both: each text is parsed once per process. A YamlDoc is never
# edited after parsing, so the two catalogs can share it (positions are the text's, whatever its path).
_parse = lru_cache(maxsize=4096)(read_yaml)
# The content-hash cache folder of the current load (KGOV_CACHE_DIR, kgov/catalog/cache.py), if any.
_cache: ContextVar[Cache | None] = ContextVar("kgov_catalog_cache", default=None)


def _read(path: Path, root: Path, kind: str, diags: list[Diagnostic], budget: ReadBudget) -> Read | None:
    """Read, parse and structurally validate one YAML file; None if it cannot be read or parsed.

    Otherwise the document and the paths of its structural errors: callers leave out the nodes
    those paths fall in, and keep the rest (one typo must not hide a whole file from the rules).
    An unknown field is reported but breaks nothing: model building reads only known fields."""
    file = str(path)
    cache = _cache.get() if kind != "kgov" else None  # the settings (where CI connects): always read
    try:
        text = read_file(path, root, budget=budget)
        if cache is not None and (kept := cache.get(text, kind)) is not None:
            return Read(YamlDoc(kept, LazyPositions(text)), frozenset())  # parsed and valid before
        doc = _parse(text)
    except Refused as refused:
        if refused.diagnostic is not None:
            diags.append(refused.diagnostic)
        return None
    except YamlProblem as problem:
        diags.append(
            Diagnostic(
                RULE_YAML,
                Severity.ERROR,
                problem.message,
                Location(file, problem.line, problem.col),
                problem.hint,
            )
        )
        return None
    if doc.data is None:
        diags.append(
            Diagnostic(
                RULE_STRUCTURE,
                Severity.ERROR,
                "file is empty",
                Location(file),
                f"see the {FORMATS.get(kind, kind)} format in docs/catalog.md",
            )
        )
        return None
    problems, broken = structure(doc, kind, file)
    diags.extend(problems)
    if cache is not None and not problems and not broken and isinstance(doc.positions, LazyPositions):
        cache.put(text, kind, doc.data)  # only fast-path values: plain data, exact in JSON
    return Read(doc, broken)


def _load_settings(root: Path, diags: list[Diagnostic], budget: ReadBudget) -> Settings:
    path = root / SETTINGS_FILE
    if not os.path.lexists(path):  # anything else named so (a FIFO, a folder) is refused by _read
        diags.append(
            files_error(
                path,
                f"missing {SETTINGS_FILE}",
                f"every catalog has a {SETTINGS_FILE} with at least 'version: 1'",
            )
        )
        return Settings(Source(str(path), YamlDoc({}, {})), ())
    read = _read(path, root, "kgov", diags, budget)
    src = Source(str(path), read.doc if read else YamlDoc({}, {}))
    if read is None or read.broken:  # settings are all or nothing: a half-read environment is a trap
        return Settings(src, ())
    return build.settings(src, read.doc.data)


def _load_topics(
    path: Path, root: Path, diags: list[Diagnostic], skipped: build.Skipped, budget: ReadBudget
) -> TopicsFile | None:
    read = _read(path, root, "topics", diags, budget)
    if read is None:
        return None
    data = read.doc.data
    if any(len(p) < 2 or p[0] != "topics" for p in read.broken):  # the file's own fields are broken
        skipped.add(data.get("topics") if isinstance(data, dict) else None)
        return None
    count = len(data["topics"])
    keep = [not read.breaks("topics", i) for i in range(count)] if read.broken else [True] * count
    skipped.add([t for t, ok in zip(data["topics"], keep, strict=True) if not ok])
    return build.topics_file(Source(str(path), read.doc), data, keep)


def _load_access(path: Path, root: Path, diags: list[Diagnostic], budget: ReadBudget) -> AccessFile | None:
    read = _read(path, root, "acls", diags, budget)
    if read is None or read.broken:
        return None
    return build.access_file(Source(str(path), read.doc), read.doc.data)


def _load_cluster_files(
    root: Path, settings: Settings, diags: list[Diagnostic], budget: ReadBudget
) -> dict[str, ClusterFile]:
    """catalog/cluster/<environment>.yaml: one file an environment that kgov.yaml declares."""
    out: dict[str, ClusterFile] = {}
    settings_file = str(root / SETTINGS_FILE)
    settings_broken = any(d.location.file == settings_file for d in diags)
    for path in list_files(root / "cluster", root, YAML_SUFFIXES, diags):
        environment = path.stem
        if environment in out:
            diags.append(
                files_error(
                    path,
                    f"environment '{environment}' has two cluster files",
                    f"keep one of {out[environment].src.file} and {path}",
                )
            )
            continue
        if environment not in settings.environments and not settings_broken:
            known = ", ".join(sorted(settings.environments)) or "none"
            guess = close_match(environment, sorted(settings.environments))
            diags.append(
                files_error(
                    path,
                    f"cluster file for environment '{environment}', which {SETTINGS_FILE} does not declare"
                    + (f" (did you mean '{guess}'?)" if guess else ""),
                    f"name the file after an environment of {SETTINGS_FILE} (declared: {known})",
                )
            )
            continue
        read = _read(path, root, "cluster", diags, budget)
        if read is None or read.broken:
            continue
        out[environment] = build.cluster_file(Source(str(path), read.doc), environment, read.doc.data)
    return out


def _load_schemas(root: Path, diags: list[Diagnostic], budget: ReadBudget) -> dict[str, SchemaFile]:
    out: dict[str, SchemaFile] = {}
    for path in list_files(root / "schemas", root, SCHEMA_SUFFIXES, diags):
        subject = path.stem
        try:
            text = read_file(path, root, RULE_FILES, budget)
        except Refused as refused:
            if refused.diagnostic is not None:
                diags.append(refused.diagnostic)
            continue
        if subject in out:
            diags.append(
                files_error(
                    path,
                    f"subject '{subject}' has two schema files",
                    f"keep one of {out[subject].file} and {path}",
                )
            )
            continue
        out[subject] = SchemaFile(subject, SCHEMA_SUFFIXES[path.suffix], str(path), text)
    return out
