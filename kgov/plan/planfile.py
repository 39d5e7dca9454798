"""Save and read plan files. A plan file is the plan's JSON: it never holds a secret."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from kgov.errors import PlanError
from kgov.plan.model import Plan, plan_from_json


def save(plan: Plan, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves half a plan behind.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(plan.to_json(), out, indent=2, sort_keys=False)
            out.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise PlanError(f"cannot write the plan file {path}: {exc.strerror}") from None


def load(path: Path) -> Plan:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise PlanError(f"cannot read plan file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PlanError(f"{path} is not a plan file (not UTF-8 text)") from None
    try:
        return plan_from_json(json.loads(text))
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"{path}:{exc.lineno}:{exc.colno}: not a plan file (invalid JSON: {exc.msg})"
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanError(
            f"{path} is not a usable plan file ({type(exc).__name__}: {exc})",
            hint="make a new one with `kgov plan --out FILE`",
        ) from None
