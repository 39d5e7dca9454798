"""`kgov snapshot`: save what plan reads of a cluster; `kgov plan --snapshot`: plan from it offline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kgov.catalog.model import Catalog
from kgov.commands.common import checked_catalog, connect, err, working
from kgov.errors import EXIT_OK
from kgov.kinds.base import Backends
from kgov.outfile import check_output_file
from kgov.plan import snapshot as snapshots
from kgov.plan.make import make_plan
from kgov.plan.model import Plan, Scoped
from kgov.sanitize import printable


def run_snapshot(catalog_dir: Path, env: str, out: Path, *, backends: Backends | None = None) -> int:
    check_output_file(out, catalog_dir)  # before any work: a refusal costs nothing
    catalog = checked_catalog(catalog_dir, env)
    ports = backends if backends is not None else connect(catalog, env)
    with working(f"reading the cluster of environment '{env}'"):
        taken, skipped = snapshots.take(catalog, env, ports)
    snapshots.save(taken, out, catalog_dir)
    for line in skipped:
        err.print(f"warning: {printable(line)}", markup=False, style="yellow")
    kinds = ", ".join(taken.kinds) or "nothing"
    saved = f"Saved the snapshot of environment '{env}' to {out}: {kinds}."
    err.print(printable(saved), markup=False)
    again = f"Plan from it with no connection: kgov plan --env {env} --snapshot {out}"
    err.print(printable(again), markup=False)
    return EXIT_OK


def plan_from_snapshot(
    catalog: Catalog, env: str, path: Path, *, allow_delete: bool, scoped: Scoped | None
) -> Plan:
    taken = snapshots.load(path)
    snapshots.check_coverage(taken, catalog, env, path)  # another environment, a kind left out
    plan = make_plan(
        catalog, env, Backends(), allow_delete=allow_delete, scoped=scoped, observe_with=taken.observers()
    )
    note = (
        f"planned from the snapshot {path} taken at {taken.created_at}, not the live cluster; "
        "apply re-reads the cluster and refuses the plan if anything it covers changed since"
    )
    return replace(plan, warnings=(note, *plan.warnings))
