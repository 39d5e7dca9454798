"""`kgov diff --base REF`: what the working tree's catalog changes against a git ref, classified.

No cluster: both catalogs are loaded (the base one through git, kgov/gitref.py) and compared kind
by kind (kgov/review). Exit 1 with --fail-on when a change of that class or worse is present.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.commands.common import err, report_diagnostics
from kgov.diagnostics import Diagnostic
from kgov.errors import EXIT_ERROR, EXIT_OK, CatalogError
from kgov.render.formats import DIFF
from kgov.review.base import Base, base_catalog
from kgov.review.compare import review
from kgov.review.model import CLASSES, Review


def _refuse(errors: Sequence[Diagnostic], what: str) -> None:
    """A catalog with structural errors would show its broken files' resources as removed: refuse."""
    if errors:
        report_diagnostics(list(errors[:20]))
        raise CatalogError(
            f"the catalog {what} has {len(errors)} error(s) that hide resources; nothing was compared",
            hint="fix them (kgov lint shows them all), then compare again",
        )


@contextmanager
def both(catalog_dir: Path, base: str) -> Iterator[tuple[Catalog, Base]]:
    """The working tree's catalog and the catalog at `base`, both free of structural errors."""
    loaded = load_catalog(catalog_dir)
    _refuse([d for d in loaded.diagnostics if d.is_error], "in the working tree")
    with base_catalog(loaded.catalog, catalog_dir, base) as old:
        _refuse(old.errors, f"at {base}")
        yield loaded.catalog, old


def make_review(catalog_dir: Path, base: str, envs: Sequence[str] = ()) -> Review:
    with both(catalog_dir, base) as (head, old):
        return review(
            head, old.catalog, base_ref=base, base_commit=old.commit, envs=envs, relocate=old.relocate
        )


def run_diff(
    catalog_dir: Path,
    base: str,
    *,
    envs: Sequence[str] = (),
    fmt: str = DIFF.default,
    fail_on: str | None = None,
) -> int:
    render = DIFF[fmt]
    result = make_review(catalog_dir, base, envs)
    print(render(result.to_json()), end="")
    if fail_on is None or result.level is None:
        return EXIT_OK
    worse = sum(n for c, n in result.counts().items() if CLASSES.index(c) >= CLASSES.index(fail_on))
    if worse:
        err.print(f"error: {worse} change(s) classed {fail_on} or worse (--fail-on {fail_on})", markup=False)
        return EXIT_ERROR
    return EXIT_OK
