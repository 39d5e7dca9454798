"""A compiled first pass over a catalog file's structure: valid files skip the detailed check.

jsonschema walks a document in Python, one validator object per keyword and node: about half of
loading a 10,000-topic catalog. fastjsonschema compiles a schema into one Python function that only
answers valid or not. A file it accepts has no structural error, so the detailed check (which
explains every error with its file:line:col) runs only on files the fast check rejects; the
diagnostics are the same either way.

The compiled check is only ever *stricter* than jsonschema where the two differ (a pattern's `$`
does not match before a final newline), which costs a detailed check, never a diagnostic
(tests/unit/catalog/test_fastcheck.py compares the two on the corpus and on random edits).

Compiling costs about 0.05 s a schema, as much as checking a few hundred topics in detail, so a
file kind is compiled only after COMPILE_AFTER nodes of it were checked in detail in this process:
small catalogs never pay for it, large ones soon stop paying per node.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import fastjsonschema

COMPILE_AFTER = 5000  # YAML nodes of one file kind checked in detail before its check is compiled
KINDS = ("topics", "acls")  # kgov.yaml is one file per catalog: compiling it would never pay


@dataclass
class _Counter:
    nodes: int = 0
    check: Callable[[Any], Any] | None = None


_seen: dict[str, _Counter] = {}


def compiled(kind: str) -> Callable[[Any], Any]:
    """The compiled check of a file kind's published schema: raises JsonSchemaException if invalid."""
    text = resources.files("kgov.catalog").joinpath(f"schemas/{kind}.schema.json").read_text("utf-8")
    # use_default=False: fastjsonschema would otherwise write schema defaults into the data.
    return fastjsonschema.compile(
        json.loads(text), use_default=False, use_formats=False, detailed_exceptions=False
    )


def valid(kind: str, data: Any, nodes: int) -> bool:
    """True if `data` (a document of `nodes` YAML nodes) certainly has no structural error.

    False means "check in detail": the file may be invalid, or this kind is not compiled yet.
    """
    if kind not in KINDS:
        return False
    seen = _seen.setdefault(kind, _Counter())
    if seen.check is None:
        seen.nodes += nodes
        if seen.nodes <= COMPILE_AFTER:
            return False
        seen.check = compiled(kind)
    try:
        seen.check(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True
