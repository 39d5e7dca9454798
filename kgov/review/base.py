"""The catalog at a git ref, built cheaply next to the working tree's: only the files that differ
are read from git and loaded; every other file's model objects are taken from the working tree's
catalog, which is loaded already (their bytes are the same, so are their objects)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.diagnostics import Diagnostic
from kgov.gitref import catalog_at


@dataclass(frozen=True)
class Base:
    catalog: Catalog
    commit: str
    errors: tuple[Diagnostic, ...]  # of the files read from git (their paths as relocate() shows them)
    relocate: Callable[[str], str]  # a base file as loaded -> the same path in the working tree
    read: int  # files read from git (kgov.yaml included)


@contextmanager
def base_catalog(head: Catalog, catalog_dir: Path, ref: str) -> Iterator[Base]:
    with catalog_at(ref, catalog_dir, changed_only=True) as at:
        root = str(at.root)

        def relocate(file: str) -> str:
            return str(catalog_dir) + file[len(root) :] if file.startswith(root) else file

        prefix = os.path.join(str(catalog_dir), "")

        def kept(file: str) -> bool:
            if file.startswith(prefix) and file[len(prefix) :] in at.unchanged:
                return True  # what the general answer below gives, without pathlib (3 calls a file)
            try:
                return PurePath(file).relative_to(catalog_dir).as_posix() in at.unchanged
            except ValueError:
                return False

        loaded = load_catalog(at.root, cached=False)  # the trusted side: from git, never a cache folder
        fresh = loaded.catalog
        catalog = replace(
            fresh,
            topic_files=tuple(
                sorted(
                    [*(f for f in head.topic_files if kept(f.src.file)), *fresh.topic_files],
                    key=lambda f: PurePath(f.src.file).name,
                )
            ),
            access_files=tuple(
                sorted(
                    [*(f for f in head.access_files if kept(f.src.file)), *fresh.access_files],
                    key=lambda f: PurePath(f.src.file).name,
                )
            ),
            schemas={**{s: f for s, f in head.schemas.items() if kept(f.file)}, **fresh.schemas},
            cluster_files={
                **{e: f for e, f in head.cluster_files.items() if kept(f.src.file)},
                **fresh.cluster_files,
            },
        )
        errors = tuple(
            replace(d, location=replace(d.location, file=relocate(d.location.file)))
            for d in loaded.diagnostics
            if d.is_error
        )
        yield Base(catalog, at.commit, errors, relocate, sum(p.is_file() for p in at.root.rglob("*")))
