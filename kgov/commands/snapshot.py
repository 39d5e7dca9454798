"""`kgov snapshot`: save what plan reads of a cluster (`kgov plan --snapshot` plans from it offline:
kgov/engine/snapshot.py; the file: kgov/plan/snapshotfile.py)."""

from __future__ import annotations

from pathlib import Path

from kgov.commands.common import checked_catalog, connect, err, working
from kgov.engine.snapshot import take
from kgov.errors import EXIT_OK
from kgov.kinds.base import Backends
from kgov.outfile import check_output_file
from kgov.plan import snapshotfile
from kgov.sanitize import printable


def run_snapshot(catalog_dir: Path, env: str, out: Path, *, backends: Backends | None = None) -> int:
    check_output_file(out, catalog_dir)  # before any work: a refusal costs nothing
    catalog = checked_catalog(catalog_dir, env)
    ports = backends if backends is not None else connect(catalog, env)
    with working(f"reading the cluster of environment '{env}'"):
        taken, skipped = take(catalog, env, ports)
    snapshotfile.save(taken, out, catalog_dir)
    for line in skipped:
        err.print(f"warning: {printable(line)}", markup=False, style="yellow")
    kinds = ", ".join(taken.kinds) or "nothing"
    saved = f"Saved the snapshot of environment '{env}' to {out}: {kinds}."
    err.print(printable(saved), markup=False)
    again = f"Plan from it with no connection: kgov plan --env {env} --snapshot {out}"
    err.print(printable(again), markup=False)
    return EXIT_OK
