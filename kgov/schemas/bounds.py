"""Bounds on the compatibility checkers' work: schema nesting, a step budget, memoised sub-checks.

An untrusted schema must not make a check recurse past Python's stack nor run for minutes, and a
check that cannot finish is never a pass: check.py turns `Unchecked` into a breaking change.
- Nesting: `nesting()` counts schema levels (an Avro record, array or map inside another; a JSON
  Schema subschema inside another), without recursion. Lint refuses more than MAX_NESTING levels
  (rule `schema-too-deep`), and the checker does not start on such a schema.
- Work: every sub-check spends a step from a `Budget`: MAX_STEPS per pair of schemas compared, and
  MAX_TOTAL_STEPS for a whole history (a long transitive history cannot multiply the time).
- Memo: `Search.decide` answers "does the reader accept all the writer writes?" once per pair of
  nodes. Recursive types are compared coinductively (a pair under check is assumed fine, as Java
  Avro does); a "fine" that leaned on a pair still open further up is not remembered, so a memoised
  answer never depends on an assumption that later turned out false. A failure is always kept.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TypeVar

MAX_NESTING = 64  # schema levels; real schemas stay far below (a registry's deepest are ~10-20)
# Sub-checks per pair of schemas compared: real schemas need hundreds to a few thousand; a step costs
# ~0.1 ms at worst (JSON Schema), so a pair takes at most ~2 s and a whole history ~10 s.
MAX_STEPS = 20_000
MAX_TOTAL_STEPS = 100_000  # per check of a schema against its history, every version and way

# JSON Schema keywords whose value is a subschema, a list of them, or a map of name -> subschema.
_ONE = (
    "items", "additionalItems", "additionalProperties", "not", "if", "then", "else", "contains",
    "propertyNames", "unevaluatedItems", "unevaluatedProperties",
)  # fmt: skip
_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems", "items")
_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies")
_AVRO_NESTED = {"record": "fields", "error": "fields", "array": "items", "map": "values"}


class Unchecked(Exception):
    """The check could not be done (too complex, nested too deeply): a finding, never a pass."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Budget:
    """Steps of comparison; one per reader/writer pair, each also paying into its check's total."""

    def __init__(self, limit: int = MAX_STEPS, total: Budget | None = None) -> None:
        self.limit, self.used, self._total = limit, 0, total

    def spend(self, steps: int = 1) -> None:
        self.used += steps
        if self.used > self.limit:
            raise Unchecked(f"too complex to check (more than {self.limit:,} steps of comparison)")
        if self._total is not None:
            self._total.spend(steps)


T = TypeVar("T", bound=Hashable)
R = TypeVar("R")


class Search:
    """Memoised reader/writer answers under one budget (see the module docstring)."""

    OPEN_ABOVE = -1  # index of a pair the reporting walk has open: not a trial's own assumption

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._memo: dict[Hashable, bool] = {}
        self._open: dict[Hashable, int] = {}
        self._low = sys.maxsize

    def decide(self, key: Hashable, compute: Callable[[], bool]) -> bool:
        known = self._memo.get(key)
        if known is not None:
            return known
        at = self._open.get(key)
        if at is not None:  # recursion: assumed fine, and everything that leans on it is marked
            self._low = min(self._low, at)
            return True
        self.budget.spend()
        index = len(self._open)
        self._open[key] = index
        outer, self._low = self._low, index
        try:
            good = compute()
        finally:
            del self._open[key]
        if not good or self._low >= index:
            self._memo[key] = good
        self._low = min(outer, self._low)
        return good

    def opened(self, key: Hashable) -> None:
        """The reporting walk checks this pair now: trials assume it fine, without remembering."""
        self._open.setdefault(key, self.OPEN_ABOVE)

    def closed(self, key: Hashable) -> None:
        if self._open.get(key) == self.OPEN_ABOVE:
            del self._open[key]

    def report(self, seen: set[T], key: T, walk: Callable[[], Iterator[R]]) -> Iterator[R]:
        """The reporting walk of one pair, once per walk (`seen`), paid from the budget and open
        while it runs (trials under it assume the pair fine)."""
        if key in seen:
            return
        seen.add(key)
        self.budget.spend()
        self.opened(key)
        try:
            yield from walk()
        finally:
            self.closed(key)


def nesting(doc: object, fmt: str) -> tuple[int, list[str]]:
    """(levels, names down to the deepest node) of a parsed schema: how many records, arrays, maps
    (Avro) or subschemas (JSON Schema) enclose its deepest node. The walk stops past MAX_NESTING."""
    children = _avro_children if fmt == "avro" else _json_children
    deepest: tuple[int, list[str]] = (0, [])
    stack: list[tuple[object, int, list[str]]] = [(doc, 0, [])]
    while stack:
        node, level, keys = stack.pop()
        if level > deepest[0]:
            deepest = (level, keys)
        if level > MAX_NESTING:
            break
        for child, step, key in children(node):
            stack.append((child, level + step, [*keys, key] if key else keys))
    return deepest



def _json_children(node: object) -> Iterator[tuple[object, int, str]]:
    if not isinstance(node, dict):
        return
    for key in _ONE:
        if isinstance(node.get(key), dict):
            yield node[key], 1, key
    for key in _LISTS:
        if isinstance(node.get(key), list):
            yield from ((item, 1, key) for item in node[key] if isinstance(item, dict))
    for key in _MAPS:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                if isinstance(sub, dict):
                    yield sub, 1, str(name)


def _avro_children(node: object) -> Iterator[tuple[object, int, str]]:
    if isinstance(node, list):  # a union: its branches are at the union's level
        yield from ((branch, 0, "") for branch in node)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if isinstance(kind, dict | list):  # {"type": {...}}: the same level, written longer
        yield kind, 0, "type"
        return
    nested = _AVRO_NESTED.get(kind) if isinstance(kind, str) else None
    if nested == "fields" and isinstance(node.get("fields"), list):
        for field in node["fields"]:
            if isinstance(field, dict) and "type" in field:
                yield field["type"], 1, str(field.get("name", ""))
    elif nested is not None and nested in node:
        yield node[nested], 1, ""  # items and values have no name of their own in the text


def position(text: str, names: Sequence[str], fmt: str) -> tuple[int, int] | None:
    """Line and column of a node in a schema's text, found by its path of names: each name (an
    Avro field's `"name": "x"`, a JSON key `"x":`) is looked for after the previous one; None when
    not even the first is found. The first 64 names suffice: deeper is refused anyway."""
    pos, found = 0, -1
    for name in names[: MAX_NESTING + 1]:
        quoted = re.escape(json.dumps(name))
        pattern = rf'"name"\s*:\s*{quoted}' if fmt == "avro" else rf"{quoted}\s*:"
        match = re.compile(pattern).search(text, pos)
        if match is not None:  # the next name is looked for after this one (names repeat)
            pos, found = match.end(), match.start()
    if found < 0:
        return None
    line = text.count("\n", 0, found) + 1
    return line, found - (text.rfind("\n", 0, found) + 1) + 1
