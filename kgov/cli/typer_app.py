"""The typer app: parse options, call one command function, map its result or error to an exit code.

No logic lives here. Each command function returns an int exit code; kgov/cli/exits.py turns it,
or a KgovError, into the process's exit code. Command modules are imported inside each command,
and the sandbox commands only when used (kgov/cli/group.py), so a command loads only what it needs.
Each --format offers exactly its output's table in kgov/render/formats.py.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import typer

from kgov import __version__
from kgov.cli import many
from kgov.cli.exits import run_command
from kgov.cli.group import KgovGroup
from kgov.render.formats import APPLY, AUDIT, DIFF, LINT, PLAN, RULES, SCHEMA_CHECK, Formats

app = typer.Typer(
    name="kgov",
    cls=KgovGroup,
    help=(
        "Kafka platform-as-code: keep topics, ACLs and schemas as a YAML catalog in git, "
        "lint it offline, plan it against a live cluster and apply exactly that plan."
    ),
    epilog=(
        "[bold]Exit codes[/]\n\n"
        "  0    success; with plan --detailed-exitcode: no changes\n\n"
        "  1    error: invalid catalog, unreachable cluster, failed action, refused plan\n\n"
        "  2    changes present (plan --detailed-exitcode only)\n\n"
        "  64   usage error: unknown command or option, missing or bad value\n\n"
        "  130  interrupted (Ctrl-C)\n\n"
        "  141  the output's reader went away (kgov diff | head): stopped quietly"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kgov {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Kafka platform-as-code."""


def _choices(name: str, formats: Formats[Any]) -> type[StrEnum]:
    """A format table's names as the Enum typer offers: listed in the help, and a value outside them
    a usage error that names them."""
    return StrEnum(name, [(format_name, format_name) for format_name in formats.names])  # type: ignore[return-value]


if TYPE_CHECKING:  # to mypy each is a str Enum; typer reads the one built from its table
    LintFormat: TypeAlias = StrEnum
    RulesFormat: TypeAlias = StrEnum
    PlanFormat: TypeAlias = StrEnum
    ApplyFormat: TypeAlias = StrEnum
    DiffFormat: TypeAlias = StrEnum
    AuditFormat: TypeAlias = StrEnum
else:
    LintFormat = _choices("LintFormat", LINT)
    RulesFormat = _choices("RulesFormat", RULES)
    PlanFormat = _choices("PlanFormat", PLAN)
    ApplyFormat = _choices("ApplyFormat", APPLY)
    DiffFormat = _choices("DiffFormat", DIFF)
    AuditFormat = _choices("AuditFormat", AUDIT)


CATALOG_HELP = "The catalog folder (holding kgov.yaml, topics/, acls/, schemas/)."
LINT_EXAMPLES = (
    "[bold]Examples[/]\n\n"
    "  kgov lint                                     [dim]# ./catalog, every environment[/]\n\n"
    "  kgov lint catalog --env prod --strict         [dim]# prod's overrides; warnings fail too[/]\n\n"
    "  kgov lint catalog --format github             [dim]# annotations on a pull request[/]\n\n"
    "  kgov lint catalog --format sarif > lint.sarif [dim]# code scanning[/]\n\n"
    "  kgov lint catalog --base origin/main          [dim]# + schema compatibility with the base[/]"
)
RULES_EXAMPLES = (
    "[bold]Examples[/]\n\n"
    "  kgov rules\n\n"
    "  kgov rules --format markdown > docs/rules.md  [dim]# the reference, with examples[/]"
)


@app.command(epilog=LINT_EXAMPLES)
def lint(
    catalog: Path = typer.Argument(Path("catalog"), help=CATALOG_HELP),
    fmt: LintFormat = typer.Option(LintFormat(LINT.default), "--format", "-f", help="Output format."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    env: list[str] = typer.Option(
        [], "--env", "-e", help="Also check sizing after these environments' overrides (default: all)."
    ),
    base: str | None = typer.Option(
        None, "--base", "-b", help="Also check changed schemas' compatibility with this git ref's."
    ),
) -> None:
    """Validate the catalog offline: structure, naming, sizing, configs, references, security.

    Exit 0 when clean, 1 on errors (and on warnings with --strict).
    """
    from kgov.commands.lint import run_lint

    run_command(lambda: run_lint(catalog, fmt.value, strict=strict, envs=tuple(env), base=base))


@app.command(epilog=RULES_EXAMPLES)
def rules(
    catalog: Path = typer.Argument(Path("catalog"), help="Its policy.custom_rules are listed too."),
    fmt: RulesFormat = typer.Option(RulesFormat(RULES.default), "--format", "-f", help="Output format."),
) -> None:
    """List the lint rules: id, severity, what each checks and how to fix it (and the catalog's own)."""
    from kgov.commands.lint import run_rules

    run_command(lambda: run_rules(fmt.value, catalog))


AUDIT_EXAMPLES = (
    "[bold]Examples[/]\n\n"
    "  kgov audit --env prod --format html --out audit.html   [dim]# one file, opens from disk[/]\n\n"
    "  kgov audit --env prod --format json > audit.json\n\n"
    "  kgov audit --env prod --catalog-only --format markdown  [dim]# matrix and graph, no cluster[/]"
)
PLAN_EXAMPLES = (
    "[bold]Examples[/]\n\n"
    "  kgov plan --env local\n\n"
    "  kgov plan --env prod --detailed-exitcode --out plan.json  [dim]# 0 none, 2 changes, 1 error[/]\n\n"
    "  kgov plan --env prod --format markdown > plan.md           [dim]# a pull-request comment[/]\n\n"
    "  kgov plan --all-environments --format markdown             [dim]# every environment, one comment[/]"
)
APPLY_EXAMPLES = (
    "[bold]Examples[/]\n\n"
    "  kgov apply plan.json --env prod           [dim]# exactly the reviewed plan; refused if stale[/]\n\n"
    "  kgov apply --env local --auto-approve     [dim]# plan now and apply without asking[/]\n\n"
    "  kgov apply plans.json --all-environments  [dim]# every part, in order; stops at the first failure[/]"
)


@app.command(epilog=PLAN_EXAMPLES)
def plan(
    env: list[str] = typer.Option([], "--env", "-e", help=many.PLAN_ENV_HELP),
    all_environments: bool = typer.Option(False, "--all-environments", help=many.PLAN_ALL_HELP),
    catalog: Path = typer.Option(Path("catalog"), "--catalog", "-c", help=CATALOG_HELP),
    out: Path | None = typer.Option(None, "--out", "-o", help="Save the plan to this file for `kgov apply`."),
    fmt: PlanFormat = typer.Option(PlanFormat(PLAN.default), "--format", "-f", help="Output format."),
    detailed_exitcode: bool = typer.Option(
        False,
        "--detailed-exitcode",
        help="Exit 0 when nothing changes, 2 when changes are present, 1 on error (64: usage error).",
    ),
    allow_delete: bool = typer.Option(
        False,
        "--allow-delete",
        help="Plan deletes of owned resources missing from the catalog (also needs ownership.delete: true).",
    ),
    allow_delete_active: bool = typer.Option(
        False,
        "--allow-delete-active",
        help="Also delete or revoke what is in use: a topic with a consumer group's offsets or a write "
        "within ownership.active_within, a binding or user whose principal's groups hold offsets or "
        "have open transactions; otherwise such a delete is blocked with its evidence (docs/deletes.md).",
    ),
    base: str | None = typer.Option(
        None,
        "--base",
        "-b",
        help="Plan only the resources whose catalog entries differ from this git ref (pull requests); "
        "connect with the environment's connection settings as they are at the ref.",
    ),
    snapshot: Path | None = typer.Option(
        None, "--snapshot", help="Plan against a snapshot from `kgov snapshot`, with no connection."
    ),
    settings_from: str | None = typer.Option(
        None,
        "--settings-from",
        help="A full plan that connects with the environment's connection settings as they are at "
        "this git ref, not the working tree's (pull requests: docs/trust-model.md).",
    ),
) -> None:
    """Compare the catalog with the live cluster and show what apply would change.

    Reads the cluster with a fixed number of batched requests, never writes to it.
    """
    run_command(
        lambda: many.plan_command(
            catalog,
            tuple(env),
            all_environments,
            out=out,
            fmt=fmt.value,
            detailed_exitcode=detailed_exitcode,
            allow_delete=allow_delete,
            allow_delete_active=allow_delete_active,
            base=base,
            snapshot=snapshot,
            settings_from=settings_from,
        )
    )


@app.command(
    epilog="[bold]Example[/]\n\n  kgov snapshot --env prod --out state.json\n\n"
    "  kgov plan --env prod --snapshot state.json  [dim]# no connection needed[/]"
)
def snapshot(
    env: str = typer.Option(..., "--env", "-e", help="The environment of kgov.yaml to read."),
    out: Path = typer.Option(..., "--out", "-o", help="The snapshot file to write (JSON, no secrets)."),
    catalog: Path = typer.Option(Path("catalog"), "--catalog", "-c", help=CATALOG_HELP),
) -> None:
    """Save what plan reads of the cluster, so `kgov plan --snapshot` can plan with no connection."""
    from kgov.commands.snapshot import run_snapshot

    run_command(lambda: run_snapshot(catalog, env, out))


class FailOn(StrEnum):
    breaking = "breaking"
    attention = "attention"


@app.command(
    epilog="[bold]Examples[/]\n\n"
    "  kgov diff --base origin/main\n\n"
    "  kgov diff --base origin/main --format markdown --fail-on breaking  [dim]# a pull-request check[/]"
)
def diff(
    base: str = typer.Option(
        ..., "--base", "-b", help="The git ref to compare with: a branch, tag or commit."
    ),
    catalog: Path = typer.Option(Path("catalog"), "--catalog", "-c", help=CATALOG_HELP),
    env: list[str] = typer.Option(
        [], "--env", "-e", help="Compare after these environments' overrides (default: every environment)."
    ),
    fmt: DiffFormat = typer.Option(DiffFormat(DIFF.default), "--format", "-f", help="Output format."),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help="Exit 1 when a change of this class (or worse) is present."
    ),
) -> None:
    """Show what the catalog changes against a git ref, each change classed safe, attention or breaking.

    Needs no cluster: the base catalog is read through git (no checkout).
    """
    from kgov.commands.diff import run_diff

    run_command(
        lambda: run_diff(
            catalog, base, envs=tuple(env), fmt=fmt.value, fail_on=fail_on.value if fail_on else None
        )
    )


@app.command(epilog=APPLY_EXAMPLES)
def apply(
    plan_file: Path | None = typer.Argument(
        None, help="A plan saved by `kgov plan --out`; omit to plan now."
    ),
    env: str | None = typer.Option(None, "--env", "-e", help=many.APPLY_ENV_HELP),
    all_environments: bool = typer.Option(False, "--all-environments", help=many.APPLY_ALL_HELP),
    catalog: Path = typer.Option(Path("catalog"), "--catalog", "-c", help=CATALOG_HELP),
    auto_approve: bool = typer.Option(
        False, "--auto-approve", help="Apply without asking (needed off a terminal)."
    ),
    allow_delete: bool = typer.Option(
        False,
        "--allow-delete",
        help="When planning now: include deletes (also needs ownership.delete: true).",
    ),
    allow_delete_active: bool = typer.Option(
        False,
        "--allow-delete-active",
        help="Also delete or revoke what is in use: a topic with a consumer group's offsets or a write "
        "within ownership.active_within, a binding or user whose principal's groups hold offsets or "
        "have open transactions; otherwise such a delete is blocked with its evidence (docs/deletes.md).",
    ),
    fmt: ApplyFormat = typer.Option(
        ApplyFormat(APPLY.default), "--format", "-f", help="Output format of the results."
    ),
    throttle: str | None = typer.Option(
        None,
        "--throttle",
        help="Replication throttle per broker while partitions move (replication-factor changes), "
        "e.g. 50MiB/s (the default), 20MB/s or bytes per second.",
    ),
    no_wait: bool = typer.Option(
        False,
        "--no-wait",
        help="Start partition reassignments and return; the next apply waits and cleans up.",
    ),
    elect_leaders: bool = typer.Option(
        False, "--elect-leaders", help="After partitions moved, elect their preferred leaders."
    ),
) -> None:
    """Apply a plan: exactly the saved one (refused if the cluster changed since), or a fresh one.

    Each action reports success or Kafka's error; independent actions go on after a failure.
    """
    run_command(
        lambda: many.apply_command(
            catalog,
            env,
            all_environments,
            plan_file,
            auto_approve=auto_approve,
            allow_delete=allow_delete,
            allow_delete_active=allow_delete_active,
            fmt=fmt.value,
            throttle=throttle,
            wait=not no_wait,
            elect_leaders=elect_leaders,
        )
    )


@app.command(
    name="import",
    epilog=(
        "[bold]Examples[/]\n\n"
        "  kgov import --env prod --out catalog    [dim]# then set owners, lint, plan[/]\n\n"
        "  kgov import --env prod --out imported   [dim]# a new folder, to merge by hand[/]"
    ),
)
def import_(
    env: str = typer.Option(..., "--env", "-e", help="The environment of kgov.yaml to read."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Catalog folder to write topics/<service>.yaml and acls/<service>.yaml into."
    ),
    catalog: Path = typer.Option(Path("catalog"), "--catalog", "-c", help=CATALOG_HELP),
) -> None:
    """Write catalog files for the cluster's unowned, unprotected topics and unmanaged principals' ACLs."""
    from kgov.commands.importer import run_import

    run_command(lambda: run_import(catalog, env, out_dir=out))


schema_app = typer.Typer(help="Schema files: check compatibility offline, as the registry would.")
app.add_typer(schema_app, name="schema")


@schema_app.command("check")
def schema_check(
    old: list[Path] = typer.Option(..., "--old", help="An old version (repeat, oldest first)."),
    new: Path = typer.Option(..., "--new", help="The new schema (.avsc Avro, .json JSON Schema)."),
    level: str = typer.Option(..., "--level", "-l", help="NONE, BACKWARD, FORWARD, FULL or *_TRANSITIVE."),
    # a plain value: kgov says which formats there are, with its own usage error (kgov/commands/schema.py)
    fmt: str = typer.Option(
        SCHEMA_CHECK.default, "--format", "-f", help=f"{' or '.join(SCHEMA_CHECK.names)}."
    ),
) -> None:
    """Is the new schema compatible with the old ones at the level? Exit 0 yes, 1 no (reasons listed)."""
    from kgov.commands.schema import run_schema_check

    run_command(lambda: run_schema_check(old, new, level, fmt))


@app.command(epilog=AUDIT_EXAMPLES)
def audit(
    env: str = typer.Option(..., "--env", "-e", help="The environment of kgov.yaml to audit."),
    catalog: Path = typer.Option(Path("catalog"), "--catalog", "-c", help=CATALOG_HELP),
    fmt: AuditFormat = typer.Option(AuditFormat(AUDIT.default), "--format", "-f", help="Output format."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report to this file."),
    catalog_only: bool = typer.Option(
        False,
        "--catalog-only",
        help="Draw the access matrix and data flow from the catalog alone (no cluster).",
    ),
) -> None:
    """Report what is true on the cluster now: drift, unmanaged resources, policy violations and
    replica health (under-replicated partitions, leaders off their preferred replica), the access
    matrix (principal x topic) and the data-flow graph.

    Reads the cluster once, with the same batched requests as plan; never writes to it.
    """
    from kgov.commands.audit import run_audit

    run_command(lambda: run_audit(catalog, env, fmt=fmt.value, out=out, catalog_only=catalog_only))
