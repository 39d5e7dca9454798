"""Did-you-mean suggestions with bounded work, whatever the input.

difflib's similarity costs up to O(n*m) per pair of names, and a hostile catalog has as many names
of any length as it likes: 500 unknown `consumes` names of 200 characters against 500 such topics
made lint take 39 s. So every suggestion is bounded three ways: a name is compared by its first and
last MAX_COMPARED / 2 characters only (a typo in the middle of a 200-character name gets no hint),
at most MAX_CANDIDATES candidates are compared per suggestion, and a `Budget` caps the work of a
whole run, counted as the product of the lengths compared (what a pair costs at most): past it,
diagnostics come without a suggestion. A caller passes its own Budget, or runs inside `bounded()`
(loading a catalog, running the rules), whose budget every suggestion made in it shares.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice

MAX_COMPARED = 64  # characters of a name compared
MAX_CANDIDATES = 200  # candidates compared per suggestion
# Work per Budget: 12,000 pairs of 64-character names, about half a second of difflib on random text;
# 150,000 pairs of the 20-character names of an ordinary catalog.
MAX_WORK = 50_000_000


class Budget:
    """Work left for one run; once spent, no more suggestions."""

    __slots__ = ("left",)

    def __init__(self, work: int = MAX_WORK) -> None:
        self.left = work

    def take(self, work: int) -> bool:
        if work > self.left:
            self.left = 0
            return False
        self.left -= work
        return True


_RUN: ContextVar[Budget | None] = ContextVar("kgov_suggestion_budget", default=None)


@contextmanager
def bounded() -> Iterator[None]:
    """Suggestions made inside share one Budget (inside another `bounded()`: the outer one)."""
    if _RUN.get() is not None:
        yield
        return
    token = _RUN.set(Budget())
    try:
        yield
    finally:
        _RUN.reset(token)


def _compared(name: str) -> str:
    half = MAX_COMPARED // 2
    return name if len(name) <= MAX_COMPARED else name[:half] + name[-half:]


def close_matches(
    word: str, candidates: Iterable[str], n: int = 1, cutoff: float = 0.6, budget: Budget | None = None
) -> list[str]:
    """Up to `n` candidates similar to `word` (best first), as difflib.get_close_matches, bounded."""
    budget = budget if budget is not None else _RUN.get()
    form = _compared(word)
    by_form: dict[str, str] = {}
    for candidate in islice(candidates, MAX_CANDIDATES):
        by_form.setdefault(_compared(candidate), candidate)
    if not by_form:
        return []
    if budget is not None and not budget.take(len(form) * sum(len(f) for f in by_form)):
        return []
    found = difflib.get_close_matches(form, list(by_form), n=n, cutoff=cutoff)
    return [by_form[f] for f in found]


def close_match(
    word: str, candidates: Iterable[str], cutoff: float = 0.6, budget: Budget | None = None
) -> str | None:
    """The candidate most similar to `word`, if any is at least `cutoff` similar (bounded work)."""
    found = close_matches(word, candidates, 1, cutoff, budget)
    return found[0] if found else None
