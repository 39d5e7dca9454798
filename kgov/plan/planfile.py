"""Save and read plan files. A plan file is the plan's JSON: it never holds a secret.

A plan file is untrusted input (it may be hand-edited in a pull request): it is read bounded,
checked against plan.schema.json (compiled: kgov/catalog/compiled/plan_schema.py, fast on big plans),
and then checked again by apply against the catalog.
"""

from __future__ import annotations

import json
import re
from importlib import resources
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


def save(plan: Plan, path: Path, catalog_root: Path | None = None) -> None:
    save_doc(plan.to_json(), path, catalog_root)


def save_doc(doc: object, path: Path, catalog_root: Path | None = None) -> None:
    """Write a plan file's document whole or not at all; never through a symlink, never into the
    catalog (one environment's plan, or several: kgov/plan/multi.py)."""
    try:
        check_output_file(path, catalog_root)
        write_atomically(path, json.dumps(doc, indent=2) + "\n")
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
    return from_doc(read_json(path, MAX_PLAN_BYTES, "plan file"), path)


def from_doc(doc: Any, path: Path) -> Plan:
    """The plan of a plan file's JSON document (`path` names it in messages), checked first."""
    again = "make a new one with `kgov plan --out FILE`"
    version = doc.get("format_version") if isinstance(doc, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version < FORMAT_VERSION:
        raise PlanError(f"{path} was made by an older kgov (plan format {version}); plan again", hint=again)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise PlanError(f"{path} was made by a newer kgov (plan format {version}); use that kgov", hint=again)
    problem = fastcheck.problem("plan", doc)  # compiled: a plan of 20,000 topics in half a second
    if problem is not None:
        raise PlanError(f"{path} is not a valid kgov plan file: {located(problem)}", hint=again)
    return plan_from_json(doc)


def located(problem: str) -> str:
    """`data.resource_changes[0].action must be …` as `at resource_changes/0/action: must be …`."""
    name, sep, rest = problem.partition(" must ")
    if not sep or not name.startswith("data"):
        return problem[:300]
    where = re.sub(r"\[(\d+)\]", r".\1", name.removeprefix("data")).strip(".").replace(".", "/")
    return f"at {where or '(top level)'}: must {rest}"[:300]
