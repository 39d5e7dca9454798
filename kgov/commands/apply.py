"""`kgov apply`: apply a saved plan exactly (refusing an edited or stale one), or plan now and apply."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import typer
from rich.text import Text

from kgov.commands.common import checked_catalog, connect, err, out, working
from kgov.engine.apply import apply_plan, await_visible
from kgov.engine.make import make_plan
from kgov.errors import EXIT_ERROR, EXIT_OK, KgovError, PlanError
from kgov.kinds import KINDS
from kgov.kinds.base import ApplyOptions, Backends
from kgov.kinds.rates import RateError, parse_rate
from kgov.plan import multi
from kgov.plan.model import Plan
from kgov.plan.verify import check_current, check_integrity
from kgov.render.apply_results import Outcome, results_json
from kgov.render.escape import visible
from kgov.render.formats import APPLY
from kgov.sanitize import printable


def _saved_plan(
    plan_file: Path,
    catalog_dir: Path,
    env: str,
    allow_delete: bool,
    backends: Backends | None,
    allow_delete_active: bool = False,
) -> tuple[Plan, Backends]:
    plan, others = _load_part(plan_file, env)
    if plan.environment != env:
        raise PlanError(f"{plan_file} was planned for environment '{plan.environment}', not '{env}'")
    check_integrity(plan, plan_file)
    _refuse_blocked(plan)
    if plan.allow_delete and not allow_delete and any(e.action == "delete" for e in plan.entries):
        raise PlanError(
            f"{plan_file} deletes resources; nothing was applied",
            hint="review the deletes, then pass --allow-delete to apply it: "
            f"kgov apply {plan_file} --env {env} --allow-delete",
        )
    if (
        plan.allow_delete_active
        and not allow_delete_active
        and any(e.action == "delete" for e in plan.entries)
    ):
        raise PlanError(
            f"{plan_file} was planned with --allow-delete-active (it may delete resources in use); "
            "nothing was applied",
            hint="review the deletes' evidence, then apply it with: "
            f"kgov apply {plan_file} --env {env} --allow-delete --allow-delete-active",
        )
    # Never trust the file's scope or entries: re-plan from the catalog and apply only an exact match.
    catalog = checked_catalog(catalog_dir, env)
    ports = backends if backends is not None else connect(catalog, env)
    with working("checking the plan against the catalog and the cluster"):
        # a scoped plan is re-planned with the same names: apply checks exactly those resources
        # and with the kinds it covered (a plan from a snapshot covers those the snapshot holds)
        covered = [k for k in KINDS if k.name in plan.scope]
        fresh = make_plan(
            catalog,
            env,
            ports,
            allow_delete=plan.allow_delete,
            allow_delete_active=plan.allow_delete_active,
            scoped=plan.scoped,
            kinds=covered,
        )
    try:
        check_current(plan, fresh, plan_file)
    except PlanError as stale:
        if not others:
            raise
        # a part of a plan of several: plan them again together, not this one over the file
        again = " ".join(f"--env {e}" for e in others)
        raise PlanError(stale.message, hint=f"make a new plan: kgov plan {again} --out {plan_file}") from None
    return plan, ports


def _load_part(plan_file: Path, env: str) -> tuple[Plan, tuple[str, ...]]:
    """The saved plan; of a multi-environment file (kgov/plan/multi.py), `env`'s part, which is then
    checked exactly as a single-environment plan file is, and the file's environments (else ())."""
    saved = multi.load_any(plan_file)
    if isinstance(saved, multi.MultiPlan):
        return saved.part(env, plan_file), saved.environments
    return saved, ()


def run_apply(
    catalog_dir: Path,
    env: str,
    *,
    plan_file: Path | None = None,
    auto_approve: bool = False,
    allow_delete: bool = False,
    allow_delete_active: bool = False,
    fmt: str = APPLY.default,
    backends: Backends | None = None,
    throttle: str | None = None,
    wait: bool = True,
    elect_leaders: bool = False,
    collect: list[tuple[Plan, Sequence[Outcome]]] | None = None,
) -> int:
    """Apply one environment; `collect` (apply --all-environments --format json) takes the results
    document instead of printing it, so the run prints one document for all environments."""
    output = APPLY[fmt]
    if collect is not None:
        output = replace(output, results=lambda plan, results, _out: collect.append((plan, results)))
    rate = _throttle(throttle)  # a bad value stops here, before anything is read or written
    if plan_file is not None:
        plan, ports = _saved_plan(plan_file, catalog_dir, env, allow_delete, backends, allow_delete_active)
    else:
        catalog = checked_catalog(catalog_dir, env)
        ports = backends if backends is not None else connect(catalog, env)
        with working(f"reading the cluster of environment '{env}'"):
            plan = make_plan(
                catalog, env, ports, allow_delete=allow_delete, allow_delete_active=allow_delete_active
            )
        if output.shows_plan is not None:
            output.shows_plan(plan.to_json(), out)
        _refuse_blocked(plan)
        if plan.has_changes and not auto_approve:
            _confirm(env)
    if not plan.has_changes:
        if output.always or plan_file is not None:  # a fresh plan has said "No changes" already
            output.results(plan, (), out)
        return EXIT_OK
    with err.status("applying") as status:

        def report(line: str) -> None:
            # a terminal shows the latest line in the status; CI logs get every line
            if err.is_terminal:
                status.update(Text(printable(line)))
            else:
                err.print(Text(printable(line)))

        options = ApplyOptions(throttle=rate, wait=wait, elect_leaders=elect_leaders, report=report)
        results = apply_plan(
            plan, ports, progress=lambda what, n: status.update(f"{what} ({n})"), options=options
        )
        status.update("waiting until the cluster shows the changes")
        try:
            invisible = await_visible(plan, results, ports)
        except KgovError as exc:  # the writes are done: still report every outcome
            invisible = (f"(could not re-read the cluster: {exc.message})",)
    output.results(plan, results, out)
    if invisible:
        err.print(Text(f"warning: {not_yet_visible(invisible)}", style="yellow"))
    return EXIT_ERROR if any(not r.ok for r in results) else EXIT_OK


def _throttle(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_rate(text)
    except RateError as exc:
        raise KgovError(f"{exc}; nothing was applied", hint="--throttle 50MiB/s") from None


def not_yet_visible(invisible: tuple[str, ...], named: int = 10) -> str:
    """What the cluster did not show in time: the first few by name (a large apply can leave
    thousands a moment behind; one line of every name helps nobody)."""
    more = f" (and {len(invisible) - named:,} more)" if len(invisible) > named else ""
    return f"not yet visible on the cluster after 30s: {visible(', '.join(invisible[:named]))}{more}"


def _refuse_blocked(plan: Plan) -> None:
    if plan.blocked:
        names = ", ".join(sorted({b.address for b in plan.blocked}))
        raise PlanError(
            f"the plan has {len(plan.blocked)} blocked change(s) ({names}); nothing was applied",
            hint="fix the catalog as the plan explains, then plan again",
        )


def _on_a_terminal() -> bool:
    """Whether someone can answer a prompt: stdin open and a terminal (None when the caller closed
    it, `kgov apply <&-`, unless kgov/cli/entry.py put /dev/null there)."""
    stdin = sys.stdin
    try:
        return stdin is not None and not stdin.closed and stdin.isatty()
    except (OSError, ValueError):
        return False


def _confirm(env: str) -> None:
    if not _on_a_terminal():
        raise KgovError(
            "refusing to apply: not on a terminal to ask for confirmation, and no --auto-approve",
            hint="pass --auto-approve, or apply a reviewed plan file: "
            "kgov plan --out plan.json; kgov apply plan.json",
        )
    try:
        approved = typer.confirm(f"Apply these changes to environment '{visible(env)}'?", default=False)
    except typer.Abort:  # Ctrl-C or end of input at the prompt: an interruption, exit 130
        raise KeyboardInterrupt from None
    if not approved:
        raise KgovError("apply cancelled; nothing was changed")


# `kgov apply FILE --all-environments`: a plan file of several environments (kgov/plan/multi.py),
# part by part in the order given at plan time, each exactly as `run_apply` applies a plan file of its
# own (so a part is refused or applied alone); stopping at the first environment that fails.
def run_apply_all(
    catalog_dir: Path,
    plan_file: Path,
    *,
    backends: Mapping[str, Backends] | None = None,
    fmt: str = APPLY.default,
    **options: object,
) -> int:
    saved = multi.load_any(plan_file)
    envs = saved.environments if isinstance(saved, multi.MultiPlan) else (saved.environment,)
    # --format json: one document for the run (each environment's results inside), printed even
    # when an environment stops the run, so a reader sees what was applied before it
    docs: list[tuple[Plan, Sequence[Outcome]]] | None = [] if fmt == "json" else None
    applied: list[str] = []
    for i, env in enumerate(envs):
        head = f"Applying environment '{env}' ({i + 1} of {len(envs)})"
        err.print(printable(head), markup=False, style="bold")
        ports = backends.get(env) if backends is not None else None
        try:
            code = run_apply(
                catalog_dir,
                env,
                plan_file=plan_file,
                backends=ports,
                fmt=fmt,
                collect=docs,
                **options,  # type: ignore[arg-type]
            )
        except KgovError as exc:
            progress = _progress(applied, envs[i + 1 :])
            stopped = type(exc)(f"environment '{env}': {exc.message}. {progress}", exc.hint)
            stopped.exit_code = exc.exit_code
            _print_all(docs, envs, applied, env, {"message": exc.message, "hint": exc.hint})
            raise stopped from None
        if code != EXIT_OK:
            _print_all(docs, envs, applied, env, None)
            err.print(
                printable(f"Stopped: environment '{env}' had failures. {_progress(applied, envs[i + 1 :])}"),
                markup=False,
                style="red",
            )
            return code
        applied.append(env)
    _print_all(docs, envs, applied, None, None)
    err.print(printable(f"Applied all {len(envs)} environments: {', '.join(envs)}."), markup=False)
    return EXIT_OK


def _print_all(
    docs: list[tuple[Plan, Sequence[Outcome]]] | None,
    envs: tuple[str, ...],
    applied: list[str],
    stopped_at: str | None,
    error: dict[str, str | None] | None,
) -> None:
    """The `kgov-multi-apply` document (docs/plan-format.md); nothing unless --format json."""
    if docs is None:
        return
    import json

    rest = envs[len(applied) + (stopped_at is not None) :]
    outcomes = [r for _plan, results in docs for r in results]
    failed = sum(not r.ok for r in outcomes)
    doc = {
        "format": "kgov-multi-apply",
        "format_version": 1,
        "environments": list(envs),
        "applied": list(applied),
        "stopped": None if stopped_at is None else {"environment": stopped_at, "error": error},
        "not_attempted": list(rest),
        "results": [results_json(plan, results) for plan, results in docs],
        "summary": {"succeeded": len(outcomes) - failed, "failed": failed},
    }
    print(json.dumps(doc, indent=2))


def _progress(applied: list[str], rest: tuple[str, ...]) -> str:
    done = f"Applied before it: {', '.join(applied)}" if applied else "No environment was applied before it"
    return done + (f"; not attempted: {', '.join(rest)}." if rest else ".")
