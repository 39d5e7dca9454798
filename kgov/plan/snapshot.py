"""Snapshot files (`kgov snapshot`): what plan reads of a cluster, per kind, to plan without a
connection (`kgov plan --snapshot`: plan_from_snapshot). Versioned JSON (docs/snapshot-format.md);
never a secret.

A snapshot is untrusted input like a plan file: read bounded and checked. Trusting it is safe:
apply re-reads the cluster and refuses a plan whose fingerprint differs, so a stale or edited
snapshot can only make a plan that apply refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kgov import __version__
from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.errors import KgovError, PlanError
from kgov.kinds import KINDS
from kgov.kinds.base import Backends, Kind
from kgov.outfile import check_output_file, write_atomically
from kgov.plan.fingerprint import digest
from kgov.plan.make import make_plan
from kgov.plan.model import JSON, Plan, Scoped
from kgov.plan.planfile import read_json
from kgov.sanitize import printable

FORMAT = "kgov-snapshot"
FORMAT_VERSION = 1
MAX_BYTES = 512 * 1024 * 1024
# What `take` writes (isoformat); neither it nor the environment is under the digest, so both are
# checked (the environment against --env), and only ever shown escaped.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", re.ASCII)


@dataclass(frozen=True)
class Snapshot:
    environment: str
    created_at: str
    kinds: Mapping[str, Mapping[str, JSON]]  # kind -> {"scope": ..., "state": ...}

    def to_json(self) -> dict[str, JSON]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kgov_version": __version__,
            "created_at": self.created_at,
            "environment": self.environment,
            "digest": digest(dict(self.kinds)),
            "kinds": dict(self.kinds),
        }

    def observers(self, kinds: Sequence[Kind] = KINDS) -> dict[str, Callable[[JSON], Any]]:
        """Per kind in the snapshot: scope -> the observed state, as the kind's observe gives it."""
        found: dict[str, Callable[[JSON], Any]] = {}
        for kind in kinds:
            part = self.kinds.get(kind.name)
            restore = getattr(kind, "from_snapshot", None)
            if part is None or restore is None:
                continue

            def observe(
                scope: JSON, restore: Any = restore, part: Mapping[str, JSON] = part, title: str = kind.title
            ) -> Any:
                try:
                    return restore(part["scope"], part["state"], scope)
                except (KeyError, TypeError, ValueError, AttributeError):
                    raise PlanError(f"the snapshot's {title} are malformed; take a new snapshot") from None

            found[kind.name] = observe
        return found


def take(
    catalog: Catalog, env_name: str, backends: Backends, kinds: Sequence[Kind] = KINDS
) -> tuple[Snapshot, list[str]]:
    """Read what plan reads (wider, see each kind's snapshot_scope), for every kind that can."""
    env = environment(catalog, env_name)
    parts: dict[str, Mapping[str, JSON]] = {}
    skipped: list[str] = []
    for kind in kinds:
        backend = backends.get(kind.backend)
        widen = getattr(kind, "snapshot_scope", None)
        if backend is None or widen is None or getattr(kind, "from_snapshot", None) is None:
            why = f"no {kind.backend} connection" if backend is None else "the kind cannot be snapshot"
            skipped.append(f"{kind.title} not in the snapshot: {why}")
            continue
        scope = widen(kind.scope(kind.desired(catalog, env), catalog))
        save = getattr(kind, "snapshot_state", None)  # else what a plan's state holds
        state = save(backend, scope) if save is not None else kind.state_json(kind.observe(backend, scope))
        parts[kind.name] = {"scope": scope, "state": state}
    return Snapshot(env.name, datetime.now(UTC).isoformat(timespec="seconds"), parts), skipped


def save(snapshot: Snapshot, path: Path, catalog_root: Path | None = None) -> None:
    """Write the snapshot whole or not at all; never through a symlink, never into the catalog."""
    try:
        check_output_file(path, catalog_root)
        write_atomically(path, json.dumps(snapshot.to_json(), indent=1, sort_keys=True) + "\n")
    except KgovError as exc:
        raise PlanError(f"snapshot file: {exc.message}", hint=exc.hint) from None


def load(path: Path) -> Snapshot:
    again = "take a new one with `kgov snapshot --env ENV --out FILE`"
    doc = read_json(path, MAX_BYTES, "snapshot")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PlanError(f'{path} is not a kgov snapshot (no "format": "{FORMAT}")', hint=again)
    if doc.get("format_version") != FORMAT_VERSION:
        raise PlanError(
            f"{path} has snapshot format {doc.get('format_version')!r}; this kgov reads {FORMAT_VERSION}",
            hint=again,
        )
    kinds = doc.get("kinds")
    if (
        not isinstance(kinds, dict)
        or not isinstance(doc.get("environment"), str)
        or any(not isinstance(v, dict) or set(v) != {"scope", "state"} for v in kinds.values())
    ):
        raise PlanError(f"{path} is not a valid kgov snapshot (environment or kinds malformed)", hint=again)
    if not isinstance(doc.get("created_at"), str) or not _TIMESTAMP.fullmatch(doc["created_at"]):
        raise PlanError(f"{path} is not a valid kgov snapshot (created_at is not a timestamp)", hint=again)
    if doc.get("digest") != digest(kinds):
        raise PlanError(f"{path} was edited after kgov wrote it (its digest does not match)", hint=again)
    return Snapshot(doc["environment"], doc["created_at"], kinds)


def check_coverage(
    snapshot: Snapshot, catalog: Catalog, env_name: str, path: Path, kinds: Sequence[Kind] = KINDS
) -> None:
    """Refuse a snapshot that does not cover what a live plan of this catalog would read.

    A snapshot records the environment it read and, per kind, what it read (`kinds.<kind>.scope`);
    each kind's from_snapshot refuses a scope it does not cover. What it cannot see is a kind left
    out: planned without it, an empty snapshot would say "No changes". So every kind that the
    environment has a connection for (a live plan would read it) must be in the snapshot."""
    env = environment(catalog, env_name)
    if snapshot.environment != env.name:
        raise PlanError(
            f"{path} is a snapshot of environment '{printable(snapshot.environment)}', not '{env.name}'",
            hint=f"take one of this environment: kgov snapshot --env {env.name} --out FILE",
        )
    connected = {"kafka": True, "registry": env.schema_registry is not None}
    missing = [
        kind.title
        for kind in kinds
        if getattr(kind, "from_snapshot", None) is not None
        and connected.get(kind.backend, False)
        and kind.name not in snapshot.kinds
    ]
    if missing:
        raise PlanError(
            f"{path} does not cover environment '{env.name}': it holds no {', '.join(missing)}, which a "
            "plan of this environment reads; nothing was planned",
            hint=f"take a new snapshot with this catalog: kgov snapshot --env {env.name} --out FILE",
        )


def plan_from_snapshot(
    catalog: Catalog, env: str, path: Path, *, allow_delete: bool, scoped: Scoped | None
) -> Plan:
    taken = load(path)
    check_coverage(taken, catalog, env, path)  # another environment, a kind left out
    plan = make_plan(
        catalog, env, Backends(), allow_delete=allow_delete, scoped=scoped, observe_with=taken.observers()
    )
    note = (
        f"planned from the snapshot {path} taken at {taken.created_at}, not the live cluster; "
        "apply re-reads the cluster and refuses the plan if anything it covers changed since"
    )
    return replace(plan, warnings=(note, *plan.warnings))
