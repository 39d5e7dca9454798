"""Take a snapshot of what plan reads (`kgov snapshot`), and plan from one with no connection
(`kgov plan --snapshot`: plan_from_snapshot). The file itself, its format and its checks are plan
data: kgov/plan/snapshotfile.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.engine.make import make_plan
from kgov.errors import PlanError
from kgov.gcpause import no_cycles
from kgov.kinds import KINDS
from kgov.kinds.base import Backends, Kind, SavesSnapshotState, Snapshotting
from kgov.plan.model import JSON, Plan, Scoped
from kgov.plan.snapshotfile import Snapshot, load
from kgov.sanitize import printable


def observers(snapshot: Snapshot, kinds: Sequence[Kind] = KINDS) -> dict[str, Callable[[JSON], Any]]:
    """Per kind in the snapshot: scope -> the observed state, as the kind's observe gives it."""
    found: dict[str, Callable[[JSON], Any]] = {}
    for kind in kinds:
        part = snapshot.kinds.get(kind.name)
        if part is None or not isinstance(kind, Snapshotting):
            continue

        def observe(
            scope: JSON, kind: Snapshotting = kind, part: Mapping[str, JSON] = part, title: str = kind.title
        ) -> Any:
            try:
                return kind.from_snapshot(part["scope"], part["state"], scope)
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
        if backend is None or not isinstance(kind, Snapshotting):
            why = f"no {kind.backend} connection" if backend is None else "the kind cannot be snapshot"
            skipped.append(f"{kind.title} not in the snapshot: {why}")
            continue
        scope = kind.snapshot_scope(kind.scope(kind.desired(catalog, env), catalog))
        if isinstance(kind, SavesSnapshotState):
            state = kind.snapshot_state(backend, scope)
        else:  # what a plan's state holds
            state = kind.state_json(kind.observe(backend, scope))
        parts[kind.name] = {"scope": scope, "state": state}
    return Snapshot(env.name, datetime.now(UTC).isoformat(timespec="seconds"), parts), skipped


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
        if isinstance(kind, Snapshotting)
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
    catalog: Catalog,
    env: str,
    path: Path,
    *,
    allow_delete: bool,
    scoped: Scoped | None,
    kinds: Sequence[Kind] = KINDS,
) -> Plan:
    with no_cycles():  # no connection, no threads: kgov's own work alone (kgov/gcpause.py)
        taken = load(path)
        check_coverage(taken, catalog, env, path, kinds)  # another environment, a kind left out
        plan = make_plan(
            catalog,
            env,
            Backends(),
            allow_delete=allow_delete,
            kinds=kinds,
            scoped=scoped,
            observe_with=observers(taken, kinds),
        )
    note = (
        f"planned from the snapshot {path} taken at {taken.created_at}, not the live cluster; "
        "apply re-reads the cluster and refuses the plan if anything it covers changed since"
    )
    return replace(plan, warnings=(note, *plan.warnings))
