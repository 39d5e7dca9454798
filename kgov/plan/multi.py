"""Plans of several environments in one document: `kgov plan --env A --env B` and `--all-environments`.

The document (format `kgov-multi-plan`, version 1; docs/plan-format.md "Many environments";
kgov/plan/multi-plan.schema.json) holds each environment's plan unchanged, in the order given at
plan time, or what failed for it. There is no fingerprint over the whole: each part keeps its own,
and apply checks a part exactly as it checks a single-environment plan file (kgov/plan/verify.py),
so an edited or stale part refuses only its environment. A file is read here as untrusted as a plan
file: bounded, the envelope checked by hand (it is small), each part against plan.schema.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgov.catalog import fastcheck
from kgov.errors import PlanError
from kgov.plan import planfile
from kgov.plan.model import ACTIONS, Plan

FORMAT = "kgov-multi-plan"
VERSION = 1
MAX_ENVIRONMENTS = 256  # a kgov.yaml with more is not one estate; bounds the work a file can ask for
_AGAIN = "make a new one with `kgov plan --env A --env B --out FILE`"


@dataclass(frozen=True)
class Failure:
    """Why an environment has no plan (it could not be reached, its settings are wrong, ...)."""

    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Part:
    environment: str
    plan: Plan | None  # None: `failure` says why
    failure: Failure | None = None

    def to_json(self) -> dict[str, Any]:
        failure = self.failure
        return {
            "environment": self.environment,
            "plan": self.plan.to_json() if self.plan is not None else None,
            "error": None if failure is None else {"message": failure.message, "hint": failure.hint},
        }


@dataclass(frozen=True)
class MultiPlan:
    parts: tuple[Part, ...]  # in the order given at plan time: apply --all-environments keeps it
    created_at: str = ""
    kgov_version: str = ""

    @property
    def environments(self) -> tuple[str, ...]:
        return tuple(p.environment for p in self.parts)

    def part(self, env: str, path: Path) -> Plan:
        """The plan of `env`, for apply; refused when the file has none for it."""
        for part in self.parts:
            if part.environment != env:
                continue
            if part.plan is None:
                why = part.failure.message if part.failure is not None else "no plan"
                raise PlanError(
                    f"{path} holds no plan for environment '{env}': planning it failed ({why}); "
                    "nothing was applied",
                    hint=_AGAIN,
                )
            return part.plan
        raise PlanError(
            f"{path} holds plans for environments {', '.join(self.environments)}, not '{env}'; "
            "nothing was applied",
            hint=f"kgov apply {path} --env {self.environments[0]} (or --all-environments)",
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": VERSION,
            "kgov_version": self.kgov_version,
            "created_at": self.created_at,
            "environments": list(self.environments),
            "summary": summary(self.parts),
            "plans": [p.to_json() for p in self.parts],
        }


def summary(parts: tuple[Part, ...]) -> dict[str, Any]:
    """The combined summary: how many environments planned, failed, change; totals over all."""
    plans = [p.plan for p in parts if p.plan is not None]
    return {
        "environments": len(parts),
        "failed": [p.environment for p in parts if p.plan is None],
        "with_changes": [p.environment for p in parts if p.plan is not None and p.plan.has_changes],
        "blocked": [p.environment for p in parts if p.plan is not None and p.plan.blocked],
        "totals": {a: sum(p.totals()[a] for p in plans) for a in ACTIONS},
    }


def is_multi(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get("format") == FORMAT


def save(multi: MultiPlan, path: Path, catalog_root: Path | None = None) -> None:
    planfile.save_doc(multi.to_json(), path, catalog_root)


def load_any(path: Path) -> Plan | MultiPlan:
    """A saved plan file: one environment's plan (as before) or several environments' plans."""
    doc = planfile.read_json(path, planfile.MAX_PLAN_BYTES, "plan file")
    if not is_multi(doc):
        return planfile.from_doc(doc, path)
    return from_doc(doc, path)


def from_doc(doc: Mapping[str, Any], path: Path) -> MultiPlan:
    version = doc.get("format_version")
    if type(version) is not int or version != VERSION:  # `true` is not 1
        newer = isinstance(version, int) and not isinstance(version, bool) and version > VERSION
        why = "made by a newer kgov" if newer else "of an unknown version"
        raise PlanError(f"{path} is a kgov multi-environment plan {why}", hint=_AGAIN)
    _check_envelope(doc, path)
    parts = []
    for i, raw in enumerate(doc["plans"]):
        env = raw["environment"]
        if raw["plan"] is None:
            error = raw["error"]
            parts.append(Part(env, None, Failure(error["message"], error["hint"])))
            continue
        problem = fastcheck.problem("plan", raw["plan"])
        if problem is not None:
            located = planfile.located(problem).replace("at ", f"at plans/{i}/plan/", 1)
            raise PlanError(f"{path} is not a valid kgov plan file: {located}", hint=_AGAIN)
        plan = planfile.from_doc(raw["plan"], path)
        if plan.environment != env:
            raise PlanError(
                f"{path} is not a valid kgov plan file: at plans/{i}: the plan is for another environment",
                hint=_AGAIN,
            )
        parts.append(Part(env, plan))
    return MultiPlan(tuple(parts), str(doc["created_at"]), str(doc["kgov_version"]))


def _check_envelope(doc: Mapping[str, Any], path: Path) -> None:
    """What multi-plan.schema.json says of the envelope (the parts are checked as plans)."""

    def bad(where: str, what: str) -> PlanError:
        return PlanError(f"{path} is not a valid kgov plan file: at {where}: {what}", hint=_AGAIN)

    plans = doc.get("plans")
    if not isinstance(plans, list) or not 1 <= len(plans) <= MAX_ENVIRONMENTS:
        raise bad("plans", f"must be a list of 1 to {MAX_ENVIRONMENTS} environments' plans")
    for key in ("created_at", "kgov_version"):
        if not isinstance(doc.get(key), str) or len(doc[key]) > 64:
            raise bad(key, "must be a short string")
    seen: set[str] = set()
    for i, raw in enumerate(plans):
        if not isinstance(raw, dict) or set(raw) != {"environment", "plan", "error"}:
            raise bad(f"plans/{i}", "must hold exactly environment, plan and error")
        env = raw["environment"]
        if not isinstance(env, str) or not 1 <= len(env) <= 256 or env in seen:
            raise bad(f"plans/{i}/environment", "must be a name (1 to 256 characters) not given before")
        seen.add(env)
        error = raw["error"]
        if raw["plan"] is None:
            if not (
                isinstance(error, dict)
                and set(error) == {"message", "hint"}
                and isinstance(error["message"], str)
                and (error["hint"] is None or isinstance(error["hint"], str))
            ):
                raise bad(f"plans/{i}/error", "a part without a plan must say why: {message, hint}")
        elif error is not None:
            raise bad(f"plans/{i}/error", "must be null when the part has a plan")
    if doc.get("environments") != [p["environment"] for p in plans]:
        raise bad("environments", "must list the plans' environments in order")
