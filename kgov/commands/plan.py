"""`kgov plan`: catalog vs live cluster, rendered; optionally saved for `kgov apply`.

A plan for a change (`--base REF` or `--settings-from REF`: a pull request's review) connects with
the planned environment's connection settings as they are at REF, never the working tree's
(kgov/review/trusted.py). A plain plan trusts the working tree: run it on the merged branch.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kgov.commands.common import checked_catalog, connect, err, working
from kgov.commands.common import out as console  # `out` is run_plan's --out
from kgov.engine.make import make_plan
from kgov.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_USAGE, KgovError
from kgov.kinds.base import Backends
from kgov.outfile import check_output_file
from kgov.plan import planfile
from kgov.render.formats import PLAN
from kgov.sanitize import printable


def run_plan(
    catalog_dir: Path,
    env: str,
    *,
    out: Path | None = None,
    fmt: str = PLAN.default,
    detailed_exitcode: bool = False,
    allow_delete: bool = False,
    allow_delete_active: bool = False,
    backends: Backends | None = None,
    base: str | None = None,
    snapshot: Path | None = None,
    settings_from: str | None = None,
) -> int:
    if base is not None and settings_from is not None and settings_from != base:
        usage = KgovError("--settings-from and --base name different refs; --base alone is enough")
        usage.exit_code = EXIT_USAGE
        raise usage
    show = PLAN[fmt]
    if out is not None:
        check_output_file(out, catalog_dir)  # before any work: a refusal costs nothing
    catalog = checked_catalog(catalog_dir, env)  # the whole catalog is linted, scoped or not
    scoped = None
    notice = None
    if snapshot is not None:  # no connection: the snapshot answers for the cluster
        from kgov.engine.snapshot import plan_from_snapshot

        if base is not None:
            from kgov.review.scope import scoped_against

            scoped = scoped_against(catalog, catalog_dir, env, base)
        plan = plan_from_snapshot(catalog, env, snapshot, allow_delete=allow_delete, scoped=scoped)
    else:
        trust = base if base is not None else settings_from
        if trust is not None:  # a change: connect only as the base says (kgov/review/trusted.py)
            from kgov.review.trusted import for_change

            trusted, scoped = for_change(catalog, catalog_dir, env, trust, scoped=base is not None)
            catalog, notice = trusted.catalog, trusted.notice()
        ports = backends if backends is not None else connect(catalog, env)
        with working(f"reading the cluster of environment '{env}'"):
            plan = make_plan(
                catalog,
                env,
                ports,
                allow_delete=allow_delete,
                allow_delete_active=allow_delete_active,
                scoped=scoped,
            )
    if notice is not None:
        plan = replace(plan, warnings=(*plan.warnings, notice))
    if out is not None:  # saved before it is shown: a reader that stops early (`| head`) loses no file
        planfile.save(plan, out, catalog_dir)
    show(plan.to_json(), console)
    if out is not None:
        hint = " --allow-delete" if plan.allow_delete else ""
        hint += " --allow-delete-active" if plan.allow_delete_active else ""
        saved = f"Saved the plan to {out}; apply exactly it with `kgov apply {out} --env {env}{hint}`."
        err.print(printable(saved), markup=False)
    if plan.blocked:
        err.print(f"[red]error:[/] {len(plan.blocked)} blocked change(s); see above for what to do instead.")
        return EXIT_ERROR
    if detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
