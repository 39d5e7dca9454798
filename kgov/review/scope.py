"""What a scoped plan (`kgov plan --base REF`) looks at: per kind that can narrow, the names whose
catalog entries differ from the ref in the planned environment (added, changed or removed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kgov.catalog.model import Catalog
from kgov.errors import CatalogError
from kgov.kinds import KINDS
from kgov.kinds.base import Kind, Narrows
from kgov.plan.model import Scoped
from kgov.review.base import Base, base_catalog
from kgov.review.compare import changed_names


def scoped_against(
    catalog: Catalog, catalog_dir: Path, env: str, base: str, kinds: Sequence[Kind] = KINDS
) -> Scoped:
    with base_catalog(catalog, catalog_dir, base) as old:
        return scope_of(catalog, old, env, base, kinds)


def scope_of(catalog: Catalog, old: Base, env: str, base: str, kinds: Sequence[Kind] = KINDS) -> Scoped:
    """The scope of a plan of `catalog` against the base catalog `old` (read at `base`)."""
    narrowing = [k for k in kinds if isinstance(k, Narrows)]
    if old.errors:
        first = old.errors[0]
        raise CatalogError(
            f"the catalog at {base} has {len(old.errors)} error(s) ({first.location}: {first.message}); "
            "a scoped plan cannot tell what changed",
            hint="plan in full (without --base)",
        )
    names = changed_names(catalog, old.catalog, env, narrowing)
    return Scoped(base, old.commit, names)
