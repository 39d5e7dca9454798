"""A scoped plan's costs grow with the change, not with the catalog (issue 23: `plan --base` of 10
changed topics in 100,000): the capability of a kind that can tell what changed from the files that
changed, and derive the desired state of only the names a scoped plan plans. Listed with the others
in kgov/kinds/base.py `CAPABILITIES`; here so that base.py stays small."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from kgov.catalog.model import Catalog, Environment
from kgov.plan.model import JSON

F = TypeVar("F")


class NarrowsByFile(ABC):
    """For a kind that `Narrows`. `related` is called with what `changed_values` returns: a kind whose
    changes pull in others (`related` reads both sides' whole desired state) answers only when
    nothing changed (the subject kind), or returns None.

    Both hooks must answer exactly what the general path would (tests/unit/review/
    test_i23_warm_by_file.py compares them on edge cases)."""

    @abstractmethod
    def changed_values(
        self, head: Catalog, base: Catalog, envs: tuple[Environment, Environment]
    ) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
        """The desired values, on each side (head, base), of every name whose desired state can
        differ between the catalogs, found from the files that differ (the base shares the working
        tree's objects of the files unchanged since it: kgov/review/base.py); every other name's
        desired state is the same on both sides. None: something the whole catalog's desired state
        depends on differs (or cannot be told this way): compare in full."""

    @abstractmethod
    def desired_of(
        self, catalog: Catalog, env: Environment, names: Sequence[str]
    ) -> tuple[Mapping[str, Any], JSON] | None:
        """For a scoped plan of `names`: the desired state of those among them the catalog declares
        (in the order `desired` gives them) and the scope `narrow(scope(desired), names)` gives,
        without deriving the rest of the catalog's desired state; None: derive it in full."""


def differing(head: Sequence[F], base: Sequence[F]) -> tuple[list[F], list[F]]:
    """The file objects of each side that the other side does not hold (compared by identity)."""
    shared = {id(f) for f in head} & {id(f) for f in base}
    return [f for f in head if id(f) not in shared], [f for f in base if id(f) not in shared]


# The last catalog's topic files (held, so their id is not reused) and its names when each is unique.
_last: list[tuple[Sequence[Any], frozenset[str] | None]] = []


def unique_topic_names(catalog: Catalog) -> frozenset[str] | None:
    """The catalog's topic names when none is declared twice (lint's duplicate-topic finds them; a
    base from git was not linted), else None: with duplicates, which one a side keeps depends on the
    files' order, so compare in full. Remembered for the last catalog's files (a scoped plan's
    catalog shares them with the working tree's)."""
    files = catalog.topic_files
    last = next(iter(_last), None)  # one read: plans of several environments may run in threads
    if last is not None and last[0] is files:
        return last[1]
    count = sum(len(f.topics) for f in files)
    names = frozenset([t.name for f in files for t in f.topics])  # catalog.topics(), without a generator
    found = names if len(names) == count else None
    _last[:] = [(files, found)]
    return found


def unique_after(head: frozenset[str], new: Sequence[Any], old: Sequence[Any]) -> bool:
    """For a base whose topic files are the working tree's (names `head`, unique) less `new`, plus
    `old`: its names are unique too (without reading the files both share)."""
    leaving = {t.name for f in new for t in f.topics}
    coming = [t.name for f in old for t in f.topics]
    return len(set(coming)) == len(coming) and not any(n in head and n not in leaving for n in coming)
