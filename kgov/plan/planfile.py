"""Save and read plan files. A plan file is the plan's JSON: it never holds a secret.

A plan file is untrusted input (it may be hand-edited in a pull request): it is read bounded,
checked against plan.schema.json, and then checked again by apply against the catalog.
"""

from __future__ import annotations

import json
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

from kgov import jsonread
from kgov.catalog import fastcheck
from kgov.errors import KgovError, PlanError
from kgov.jsonread import JsonProblem
from kgov.outfile import check_output_file, write_atomically
from kgov.plan.model import FORMAT_VERSION, Plan, plan_from_json
from kgov.readfile import Unreadable, read_regular

MAX_PLAN_BYTES = 256 * 1024 * 1024  # checked on the open file's size before a byte is read
MAX_EXPLAINED = 20  # problems jsonschema looks for in a refused plan


def save(plan: Plan, path: Path, catalog_root: Path | None = None) -> None:
    """Write the plan whole or not at all; never through a symlink, never into the catalog."""
    try:
        check_output_file(path, catalog_root)
        write_atomically(path, json.dumps(plan.to_json(), indent=2) + "\n")
    except KgovError as exc:
        raise PlanError(f"plan file: {exc.message}", hint=exc.hint) from None


def schema() -> dict[str, Any]:
    text = resources.files("kgov.plan").joinpath("plan.schema.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def read_json(path: Path, max_bytes: int, what: str) -> Any:
    """The JSON document of a regular file of at most max_bytes (plan files and snapshots are
    untrusted): never blocking on a FIFO, never a crash on deep nesting or a huge integer."""
    try:
        data = read_regular(path, max_bytes)
    except Unreadable as refused:
        raise PlanError(f"{path}: {refused.reason}", hint=f"give a {what} that kgov wrote") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError(f"{path} is not a kgov {what} (not UTF-8 text)") from None
    try:
        return jsonread.loads(text)
    except JsonProblem as problem:
        raise PlanError(
            f"{path}:{problem.line}:{problem.col}: not a kgov {what} ({problem.message})"
        ) from None


def load(path: Path) -> Plan:
    doc = read_json(path, MAX_PLAN_BYTES, "plan file")
    again = "make a new one with `kgov plan --out FILE`"
    version = doc.get("format_version") if isinstance(doc, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version < FORMAT_VERSION:
        raise PlanError(f"{path} was made by an older kgov (plan format {version}); plan again", hint=again)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise PlanError(f"{path} was made by a newer kgov (plan format {version}); use that kgov", hint=again)
    if not fastcheck.valid("plan", doc):  # compiled: fast; jsonschema only says what is wrong
        _explain(path, doc, again)
    return plan_from_json(doc)


def _explain(path: Path, doc: Any, again: str) -> None:
    from jsonschema import Draft202012Validator  # only a refused plan needs it: keep it off start-up

    # The first few problems only: a huge plan full of them is refused as fast as one with one.
    found = list(islice(Draft202012Validator(schema()).iter_errors(doc), MAX_EXPLAINED + 1))
    if not found:  # the compiled check is stricter than the schema (a whole float is not an integer)
        raise PlanError(f"{path} is not a valid kgov plan file: a number is not a whole number", hint=again)
    first = min(found, key=lambda e: [str(p) for p in e.absolute_path])
    where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
    more = (
        f" (and {MAX_EXPLAINED}+ more problems)"
        if len(found) > MAX_EXPLAINED
        else (f" (and {len(found) - 1} more problems)" if len(found) > 1 else "")
    )
    raise PlanError(
        f"{path} is not a valid kgov plan file: at {where}: {first.message[:200]}{more}", hint=again
    )
