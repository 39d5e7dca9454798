"""Which command runs for `kgov plan` and `kgov apply`'s environment options (issue 23: many
environments in one run); shared by the fast path (kgov/cli/entry.py) and typer (typer_app.py).

`plan --env X` once is the single plan of kgov/commands/plan.py, exactly as before; `--env` several
times or `--all-environments` is kgov/commands/plan_many.py. `apply --env X` applies X's plan (or
X's part of a plan file of several); `apply FILE --all-environments` every part in order.
"""

from __future__ import annotations

from pathlib import Path

from kgov.errors import UsageError

PLAN_ENV_HELP = "The environment of kgov.yaml to plan against; repeat it to plan several in one report."
PLAN_ALL_HELP = "Plan every environment of kgov.yaml, in one report."
APPLY_ENV_HELP = "The environment of kgov.yaml to apply to (of a plan file of several: its part)."
APPLY_ALL_HELP = "Apply every part of a plan file of several environments, in order; stop at a failure."


def plan_command(catalog_dir: Path, envs: tuple[str, ...], all_environments: bool, **options: object) -> int:
    if all_environments and envs:
        raise UsageError("give --env NAME (once per environment) or --all-environments, not both")
    if not all_environments and not envs:
        raise UsageError("give --env NAME (once per environment) or --all-environments")
    envs = tuple(dict.fromkeys(envs))  # `--env a --env a` is the plan of a, as it always was
    if len(envs) == 1:
        from kgov.commands.plan import run_plan

        return run_plan(catalog_dir, envs[0], **options)  # type: ignore[arg-type]
    from kgov.commands.plan_many import run_plans

    return run_plans(catalog_dir, envs or None, **options)  # type: ignore[arg-type]


def apply_command(
    catalog_dir: Path, env: str | None, all_environments: bool, plan_file: Path | None, **options: object
) -> int:
    from kgov.commands.apply import run_apply, run_apply_all

    if all_environments and env is not None:
        raise UsageError("give --env NAME or --all-environments, not both")
    if all_environments:
        if plan_file is None:
            raise UsageError(
                "--all-environments applies a saved plan file: "
                "kgov plan --all-environments --out plans.json; kgov apply plans.json --all-environments"
            )
        return run_apply_all(catalog_dir, plan_file, **options)  # type: ignore[arg-type]
    if env is None:
        raise UsageError("give --env NAME (or --all-environments with a plan file of several environments)")
    return run_apply(catalog_dir, env, plan_file=plan_file, **options)  # type: ignore[arg-type]
