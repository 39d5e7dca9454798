"""What the catalog owns: the topics it names, plus (for deletes) its services' name prefixes.

Protected topics (glob patterns, `__*` and `_*` by default) are never read, changed or deleted.
"""

from __future__ import annotations

import fnmatch
import re
from functools import cache

from kgov.catalog.model import Catalog
from kgov.catalog.resolve import DesiredState
from kgov.plan.model import Scope


@cache
def _matcher(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(p) for p in patterns))


def is_protected(name: str, patterns: tuple[str, ...]) -> bool:
    matcher = _matcher(patterns)
    return bool(matcher and matcher.match(name))


def scope_of(desired: DesiredState, protected: tuple[str, ...]) -> Scope:
    return Scope(tuple(sorted(desired.topics)), desired.owned_prefixes, protected)


def catalog_scope(catalog: Catalog) -> Scope:
    """What the catalog owns, read from the catalog alone: the same scope plan uses."""
    return Scope(
        tuple(sorted({t.name for t in catalog.topics()})),
        tuple(f"{s}." for s in catalog.services()),
        catalog.settings.ownership.protected,
    )


def in_scope(name: str, scope: Scope, named: frozenset[str]) -> bool:
    """Named by the catalog (`named` is the scope's topics as a set), or inside an owned prefix;
    and not protected."""
    if is_protected(name, scope.protected):
        return False
    return name in named or (bool(scope.prefixes) and name.startswith(scope.prefixes))
