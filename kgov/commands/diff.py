"""`kgov diff --base REF`: what the working tree's catalog changes against a git ref, classified.

No cluster: both catalogs are loaded (the base one through git, kgov/gitref.py) and compared kind
by kind (kgov/review). Exit 1 with --fail-on when a change of that class or worse is present.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kgov.catalog.load import Loaded, load_catalog
from kgov.catalog.model import Catalog
from kgov.commands.common import err
from kgov.errors import EXIT_ERROR, EXIT_OK, CatalogError
from kgov.gitref import catalog_at
from kgov.review.compare import Relocate, review
from kgov.review.model import CLASSES, Review


def _usable(loaded: Loaded, what: str, relocate: Relocate) -> Catalog:
    """A catalog with structural errors would show its broken files' resources as removed: refuse."""
    errors = [d for d in loaded.diagnostics if d.is_error]
    if errors:
        for d in errors[:20]:
            err.print(
                f"{relocate(d.location.file)}:{d.location.line}:{d.location.col}: {d.message}", markup=False
            )
        raise CatalogError(
            f"the catalog {what} has {len(errors)} error(s) that hide resources; nothing was compared",
            hint="fix them (kgov lint shows them all), then compare again",
        )
    return loaded.catalog


@contextmanager
def both(catalog_dir: Path, base: str) -> Iterator[tuple[Catalog, Catalog, str, Relocate]]:
    """(working-tree catalog, catalog at `base`, base commit, path mapping for base files)."""
    head = _usable(load_catalog(catalog_dir), "in the working tree", str)
    with catalog_at(base, catalog_dir) as at:
        root = str(at.root)

        def relocate(file: str) -> str:
            return str(catalog_dir) + file[len(root) :] if file.startswith(root) else file

        yield head, _usable(load_catalog(at.root), f"at {base}", relocate), at.commit, relocate


def make_review(catalog_dir: Path, base: str, envs: Sequence[str] = ()) -> Review:
    with both(catalog_dir, base) as (head, old, commit, relocate):
        return review(head, old, base_ref=base, base_commit=commit, envs=envs, relocate=relocate)


def run_diff(
    catalog_dir: Path, base: str, *, envs: Sequence[str] = (), fmt: str = "text", fail_on: str | None = None
) -> int:
    result = make_review(catalog_dir, base, envs)
    doc = result.to_json()
    if fmt == "json":
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        from kgov.render import diff_markdown

        print(diff_markdown.render(doc), end="")
    elif fmt == "sarif":
        from kgov.render import diff_sarif

        print(diff_sarif.render(doc), end="")
    else:
        from kgov.render import diff_text

        print(diff_text.render(doc), end="")
    if fail_on is None or result.level is None:
        return EXIT_OK
    worse = sum(n for c, n in result.counts().items() if CLASSES.index(c) >= CLASSES.index(fail_on))
    if worse:
        err.print(f"error: {worse} change(s) classed {fail_on} or worse (--fail-on {fail_on})", markup=False)
        return EXIT_ERROR
    return EXIT_OK
