"""`kgov plan --env A --env B ...` and `--all-environments`: several environments in one report.

The catalog is read and linted once (every planned environment's overrides); each environment then
gets its own connection and its own `make_plan`, concurrently in a small pool (at most
`MAX_CONCURRENT` at once: each read already runs a thread per backend, kgov/engine/overlap.py). A
failure of one environment (unreachable, bad settings) becomes its section, never hides the others'
plans. The report holds the plans unchanged (kgov/plan/multi.py); the exit code combines theirs
(kgov/errors.py `combined_exit`). With one `--env`, kgov/cli/many.py runs the single plan as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from kgov import __version__
from kgov.catalog.model import Catalog
from kgov.cluster.pool import WorkerPool
from kgov.commands.common import checked_catalog_of, connect, err, working
from kgov.commands.common import out as console
from kgov.engine.make import make_plan
from kgov.errors import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    ConfigError,
    KgovError,
    UsageError,
    combined_exit,
)
from kgov.kinds.base import Backends
from kgov.outfile import check_output_file
from kgov.plan import multi
from kgov.plan.model import Scoped
from kgov.plan.multi import Failure, MultiPlan, Part
from kgov.redact import redact
from kgov.render.formats import PLANS
from kgov.sanitize import printable

MAX_CONCURRENT = 4  # connections open at once: the machine running CI is small, clusters are many
# daemon threads: Ctrl-C is raised at once and ends the process, never waits for a slow cluster
_POOL = WorkerPool(MAX_CONCURRENT)
Connector = Callable[[Catalog, str], Backends]


@dataclass(frozen=True)
class Options:
    allow_delete: bool = False
    allow_delete_active: bool = False
    base: str | None = None
    settings_from: str | None = None


def run_plans(
    catalog_dir: Path,
    envs: tuple[str, ...] | None,  # None: every environment of kgov.yaml, in its order
    *,
    out: Path | None = None,
    fmt: str = PLANS.default,
    detailed_exitcode: bool = False,
    allow_delete: bool = False,
    allow_delete_active: bool = False,
    base: str | None = None,
    snapshot: Path | None = None,
    settings_from: str | None = None,
    connector: Connector = connect,
) -> int:
    if snapshot is not None:
        raise UsageError("--snapshot plans one environment (its snapshot's): give one --env")
    if base is not None and settings_from is not None and settings_from != base:
        raise UsageError("--settings-from and --base name different refs; --base alone is enough")
    show = PLANS[fmt]
    if out is not None:
        check_output_file(out, catalog_dir)  # before any work: a refusal costs nothing
    # read and linted once, with every planned environment's overrides
    catalog, _ = checked_catalog_of(catalog_dir, envs)
    names = _known(catalog, envs)
    options = Options(allow_delete, allow_delete_active, base, settings_from)
    multi_plan = plan_environments(catalog, catalog_dir, names, options, connector)
    if out is not None:  # saved before it is shown, as a single plan is
        multi.save(multi_plan, out, catalog_dir)
    show(multi_plan.to_json(), console)
    if out is not None:
        hint = " --allow-delete" if allow_delete else ""
        hint += " --allow-delete-active" if allow_delete_active else ""
        err.print(
            printable(
                f"Saved the plans of {len(names)} environments to {out}; apply one with "
                f"`kgov apply {out} --env {_first_planned(multi_plan)}{hint}`, or all in this order with "
                f"`kgov apply {out} --all-environments{hint}`."
            ),
            markup=False,
        )
    codes = [_exit_code(p, detailed_exitcode) for p in multi_plan.parts]
    for part, code in zip(multi_plan.parts, codes, strict=True):
        if code == EXIT_ERROR:
            why = part.failure.message if part.failure else f"{len(part.plan.blocked)} blocked change(s)"  # type: ignore[union-attr]
            err.print(f"[red]error:[/] environment '{printable(part.environment)}': ", end="")
            err.print(printable(why), markup=False)
    return combined_exit(codes)


def _known(catalog: Catalog, envs: tuple[str, ...] | None) -> tuple[str, ...]:
    """The environments to plan, each once, in the order given; all of kgov.yaml's for None."""
    known = tuple(catalog.settings.environments)
    if envs is None:
        if not known:
            raise ConfigError("kgov.yaml defines no environment; nothing was planned")
        return known
    unknown = [e for e in envs if e not in known]
    if unknown:
        raise ConfigError(
            f"unknown environment(s) {', '.join(repr(e) for e in unknown)} "
            f"(kgov.yaml defines: {', '.join(sorted(known)) or 'none'}); nothing was planned"
        )
    return tuple(dict.fromkeys(envs))


def plan_environments(
    catalog: Catalog,
    catalog_dir: Path,
    names: tuple[str, ...],
    options: Options,
    connector: Connector = connect,
) -> MultiPlan:
    """Each environment's plan, or what failed for it, in `names`' order; the reads run concurrently.

    git (the trusted settings of a change) and `connect` run in this thread, one environment after
    the other: connecting resolves the secret references and remembers them for redaction
    (kgov/redact.py), all before any thread can report an error that might quote one. Making the
    clients is cheap (they connect on their first request); only the reads go to the pool."""
    prepared = {env: _prepare(catalog, catalog_dir, env, options, connector) for env in names}
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    ready = [env for env, got in prepared.items() if not isinstance(got, Part)]
    with working(f"reading the clusters of {len(names)} environments"):
        planned = _POOL.run(lambda env: _plan_one(env, prepared[env], options), ready)  # type: ignore[arg-type]
    parts = tuple(got if isinstance(got, Part) else planned[env] for env, got in prepared.items())
    return MultiPlan(parts, created_at, __version__)


_Prepared = tuple[Catalog, Backends, Scoped | None, str | None]


def _prepare(
    catalog: Catalog, catalog_dir: Path, env: str, options: Options, connector: Connector
) -> _Prepared | Part:
    """The catalog to plan with (a change: with the base's connection settings), the environment's
    ports, the scope and the notice of a change; or the environment's failure."""
    trust = options.base if options.base is not None else options.settings_from
    scoped, notice = None, None
    try:
        if trust is not None:
            from kgov.review.trusted import for_change

            trusted, scoped = for_change(catalog, catalog_dir, env, trust, scoped=options.base is not None)
            catalog, notice = trusted.catalog, trusted.notice()
        return catalog, connector(catalog, env), scoped, notice
    except KgovError as exc:
        return Part(env, None, Failure(exc.message, exc.hint))


def _plan_one(env: str, prepared: _Prepared, options: Options) -> Part:
    catalog, ports, scoped, notice = prepared
    try:
        plan = make_plan(
            catalog,
            env,
            ports,
            allow_delete=options.allow_delete,
            allow_delete_active=options.allow_delete_active,
            scoped=scoped,
        )
    except KgovError as exc:
        return Part(env, None, Failure(exc.message, exc.hint))
    except Exception as exc:  # a bug in one environment's read must not hide the others' plans
        return Part(env, None, Failure(f"internal error: {redact(f'{type(exc).__name__}: {exc}')}"))
    if notice is not None:
        plan = replace(plan, warnings=(*plan.warnings, notice))
    return Part(env, plan)


def _first_planned(multi_plan: MultiPlan) -> str:
    return next((p.environment for p in multi_plan.parts if p.plan is not None), multi_plan.environments[0])


def _exit_code(part: Part, detailed_exitcode: bool) -> int:
    """What `kgov plan --env <part>` alone would exit with."""
    if part.plan is None or part.plan.blocked:
        return EXIT_ERROR
    return EXIT_CHANGES if detailed_exitcode and part.plan.has_changes else EXIT_OK
