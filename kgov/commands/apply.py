"""`kgov apply`: apply a saved plan exactly (refusing a stale one), or plan now and apply."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape

from kgov.apply import ActionResult, apply_plan, await_visible
from kgov.catalog.resolve import desired_state
from kgov.cluster.observe import observe
from kgov.cluster.port import Cluster
from kgov.commands.common import checked_catalog, connect, err, out, settings_catalog
from kgov.commands.plan import show
from kgov.errors import EXIT_ERROR, EXIT_OK, KgovError, PlanError
from kgov.plan import planfile
from kgov.plan.make import make_plan
from kgov.plan.model import Plan

_VERB = {
    "create_topic": "create topic",
    "increase_partitions": "add partitions to topic",
    "alter_topic_config": "change configs of topic",
    "delete_topic": "delete topic",
}


def _describe(result: ActionResult) -> str:
    return f"{_VERB[result.action.kind]} {result.action.name}"


def run_apply(
    catalog_dir: Path,
    env: str,
    *,
    plan_file: Path | None = None,
    auto_approve: bool = False,
    allow_delete: bool = False,
    fmt: str = "text",
    cluster: Cluster | None = None,
) -> int:
    if plan_file is not None:
        plan = planfile.load(plan_file)
        if plan.environment != env:
            raise PlanError(f"{plan_file} was planned for environment '{plan.environment}', not '{env}'")
        settings = settings_catalog(catalog_dir)  # the plan is made: only the connection is needed
        target = cluster if cluster is not None else connect(settings, env)
        _refuse_blocked(plan)
        with err.status("checking that the cluster has not changed since the plan"):
            now = observe(target, plan.scope).fingerprint()
        if now != plan.fingerprint:
            raise PlanError(
                f"stale plan: the cluster changed since {plan_file} was made ({plan.created_at}); "
                "nothing was applied",
                hint=f"make a new plan: kgov plan --env {env} --out {plan_file}",
            )
    else:
        catalog = checked_catalog(catalog_dir, env)
        target = cluster if cluster is not None else connect(catalog, env)
        with err.status(f"reading the cluster of environment '{env}'"):
            plan = make_plan(
                desired_state(catalog, env), target, catalog.settings.ownership, allow_delete=allow_delete
            )
        if fmt == "text":
            show(plan, "text")
        _refuse_blocked(plan)
        if plan.has_changes and not auto_approve:
            _confirm(env)
    if not plan.has_changes:
        if fmt == "json" or plan_file is not None:  # a fresh plan has said "No changes" already
            _print_results(plan, (), fmt)
        return EXIT_OK
    with err.status("applying") as status:
        results = apply_plan(plan, target, lambda what, n: status.update(f"{what} ({n})"))
        status.update("waiting until the cluster shows the changes")
        invisible = await_visible(plan, results, target)
    _print_results(plan, results, fmt)
    if invisible:
        err.print(f"[yellow]warning:[/] not yet visible on the cluster after 30s: {', '.join(invisible)}")
    return EXIT_ERROR if any(not r.ok for r in results) else EXIT_OK


def _refuse_blocked(plan: Plan) -> None:
    if plan.blocked:
        names = ", ".join(sorted({b.name for b in plan.blocked}))
        raise PlanError(
            f"the plan has {len(plan.blocked)} blocked change(s) ({names}); nothing was applied",
            hint="fix the catalog as the plan explains, then plan again",
        )


def _confirm(env: str) -> None:
    if not sys.stdin.isatty():
        raise KgovError(
            "refusing to apply: not on a terminal to ask for confirmation, and no --auto-approve",
            hint="pass --auto-approve, or apply a reviewed plan file: "
            "kgov plan --out plan.json; kgov apply plan.json",
        )
    if not typer.confirm(f"Apply these changes to environment '{env}'?", default=False):
        raise KgovError("apply cancelled; nothing was changed")


def _print_results(plan: Plan, results: tuple[ActionResult, ...], fmt: str) -> None:
    failed = [r for r in results if not r.ok]
    if fmt == "json":
        doc = {
            "format_version": 1,
            "environment": plan.environment,
            "results": [
                {"kind": r.action.kind, "name": r.action.name, "ok": r.ok, "error": r.error} for r in results
            ],
            "summary": {"succeeded": len(results) - len(failed), "failed": len(failed)},
        }
        print(json.dumps(doc, indent=2))
        return
    if not results:
        out.print("No changes. The cluster matches the catalog.")
        return
    for r in results:
        if r.ok:
            out.print(f"[green]✓[/] {escape(_describe(r))}")
        else:
            out.print(f"[red]✗[/] {escape(_describe(r))}: {escape(str(r.error))}")
    out.print(f"\n[bold]Apply complete: {len(results) - len(failed)} succeeded, {len(failed)} failed.[/]")
    if failed:
        out.print("Fix the failures and run the same command again; what succeeded will not be redone.")
