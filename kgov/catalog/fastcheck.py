"""A yes/no structural check of a catalog file at compiled speed; jsonschema explains only failures.

Importing jsonschema costs more than linting a small catalog, and validating 10,000 topics with it
takes about a second. So each published schema is also compiled ahead of time by fastjsonschema into
a plain Python module (`kgov/catalog/compiled/`, generated, no runtime dependency) that answers
"valid or not". A file it passes is valid; a file it fails goes through jsonschema, which gives the
located diagnostics. The compiled check may be stricter than jsonschema, never looser (a test runs
both over the example, the hostile corpus and generated documents).

JSON Schema subjects of drafts 4, 6 and 7 get the same treatment for their meta-schema check (lint's
invalid-schema rule), so a catalog's schemas are checked without importing jsonschema either.

The compiled modules are written by kgov/catalog/compile_validators.py (not imported at run time):
regenerate after editing a schema with `python3 -m kgov.catalog.compile_validators` (a test fails
when stale).
"""

from __future__ import annotations

import importlib
from typing import Any


def valid(kind: str, data: Any) -> bool:
    """True when `data` certainly satisfies the kind's schema; False means 'ask jsonschema'."""
    return problem(kind, data) is None


def problem(kind: str, data: Any) -> str | None:
    """None when `data` certainly satisfies the kind's schema, else the compiled check's first
    problem, e.g. `data.resource_changes[0].action must be one of [...]` (for plan files, where
    asking jsonschema about a big document takes seconds)."""
    module = importlib.import_module(f"kgov.catalog.compiled.{kind}_schema")
    try:
        module.validate(data)
    except module.JsonSchemaValueException as exc:
        return str(exc)
    except Exception:  # e.g. a recursion limit: let jsonschema give the verdict
        return "data could not be checked"
    return None
