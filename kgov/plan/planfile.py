"""Save and read plan files. A plan file is the plan's JSON: it never holds a secret.

A plan file is untrusted input (it may be hand-edited in a pull request): it is read bounded,
checked against plan.schema.json, and then checked again by apply against the catalog.
"""

from __future__ import annotations

import json
import os
import stat
from importlib import resources
from pathlib import Path
from typing import Any

from kgov.errors import KgovError, PlanError
from kgov.outfile import check_output_file, write_atomically
from kgov.plan.model import FORMAT_VERSION, Plan, plan_from_json

MAX_PLAN_BYTES = 256 * 1024 * 1024


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


def read_regular(path: Path, max_bytes: int, what: str) -> bytes:
    """The bytes of a regular file of at most max_bytes (plan files and snapshots are untrusted)."""
    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise PlanError(f"{path} is not a regular file; a {what} is one")
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise PlanError(f"cannot read the {what} {path}: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise PlanError(f"{path} is larger than {max_bytes // 2**20} MiB: not a kgov {what}")
    return data


def _read(path: Path) -> str:
    data = read_regular(path, MAX_PLAN_BYTES, "plan file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError(f"{path} is not a plan file (not UTF-8 text)") from None


def load(path: Path) -> Plan:
    text = _read(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"{path}:{exc.lineno}:{exc.colno}: not a plan file (invalid JSON: {exc.msg})"
        ) from None
    again = "make a new one with `kgov plan --out FILE`"
    version = doc.get("format_version") if isinstance(doc, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version < FORMAT_VERSION:
        raise PlanError(f"{path} was made by an older kgov (plan format {version}); plan again", hint=again)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise PlanError(f"{path} was made by a newer kgov (plan format {version}); use that kgov", hint=again)
    from jsonschema import Draft202012Validator  # only apply needs it: keep it off start-up

    errors = sorted(Draft202012Validator(schema()).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise PlanError(
            f"{path} is not a valid kgov plan file: at {where}: {first.message[:200]}"
            + (f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""),
            hint=again,
        )
    return plan_from_json(doc)
