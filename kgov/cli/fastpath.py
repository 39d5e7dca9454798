"""The usual command lines of `kgov lint` and `kgov plan`, parsed by hand; all else left to typer.

Building the typer app costs more than linting a catalog, and more than a pull request's plan:
typer imports pydantic and builds a validator per option. These parsers know exactly the options
kgov/cli/typer_app.py declares for the two commands (tests compare them with typer on many command
lines), and the same formats (kgov/render/formats.py), and answer None for anything else: --help, a
bad or missing value, an unknown option, a repeated single-valued option, a second folder. typer
then prints the help or the usage error, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kgov.render.formats import LINT, PLAN

DEFAULT_CATALOG = Path("catalog")


@dataclass(frozen=True)
class _Spec:
    valued: Mapping[str, str]  # option spelling -> field
    flags: Mapping[str, str]
    repeated: frozenset[str] = frozenset()  # fields given any number of times (a tuple of values)
    choices: Mapping[str, tuple[str, ...]] | None = None
    positional: str | None = None  # the field of the one positional argument, if any


def _read(args: list[str], spec: _Spec) -> dict[str, object] | None:
    found: dict[str, object] = {}
    rest = list(args)
    while rest:
        token = rest.pop(0)
        name, eq, inline = token.partition("=")
        if token in spec.flags:
            found[spec.flags[token]] = True
            continue
        if not token.startswith("-"):
            if spec.positional is None or spec.positional in found:
                return None
            found[spec.positional] = token
            continue
        if eq and name.startswith("--") and name in spec.valued:
            value = inline
        elif token in spec.valued and rest and not rest[0].startswith("-"):
            name, value = token, rest.pop(0)
        else:
            return None  # --help, `--`, an unknown option, a missing value, -f=json, -fjson: typer's
        field = spec.valued[name]
        if spec.choices and field in spec.choices and value not in spec.choices[field]:
            return None
        if field in spec.repeated:
            found[field] = (*found.get(field, ()), value)  # type: ignore[misc]
        else:
            found[field] = value  # typer keeps the last of repeated single values, so does this
    return found


_LINT = _Spec(
    valued={"--format": "fmt", "-f": "fmt", "--env": "envs", "-e": "envs", "--base": "base", "-b": "base"},
    flags={"--strict": "strict"},
    repeated=frozenset({"envs"}),
    choices={"fmt": LINT.names},
    positional="catalog",
)
_PLAN = _Spec(
    valued={
        "--env": "envs", "-e": "envs", "--catalog": "catalog", "-c": "catalog", "--out": "out", "-o": "out",
        "--format": "fmt", "-f": "fmt", "--base": "base", "-b": "base", "--snapshot": "snapshot",
        "--settings-from": "settings_from",
    },
    flags={
        "--detailed-exitcode": "detailed_exitcode", "--allow-delete": "allow_delete",
        "--allow-delete-active": "allow_delete_active", "--all-environments": "all_environments",
    },
    repeated=frozenset({"envs"}),
    choices={"fmt": PLAN.names},
)  # fmt: skip


@dataclass(frozen=True)
class LintArgs:
    catalog: Path
    fmt: str
    strict: bool
    envs: tuple[str, ...]
    base: str | None = None


@dataclass(frozen=True)
class PlanArgs:
    envs: tuple[str, ...]  # one: the single plan; several (or --all-environments): kgov/commands/plan_many.py
    catalog: Path
    out: Path | None
    fmt: str
    detailed_exitcode: bool
    allow_delete: bool
    base: str | None
    snapshot: Path | None
    settings_from: str | None = None
    allow_delete_active: bool = False
    all_environments: bool = False


def parse_lint(args: list[str]) -> LintArgs | None:
    """lint's arguments (after the word `lint`), or None when typer should parse them."""
    found = _read(args, _LINT)
    if found is None:
        return None
    return LintArgs(
        Path(str(found.get("catalog", DEFAULT_CATALOG))),
        str(found.get("fmt", LINT.default)),
        bool(found.get("strict", False)),
        tuple(found.get("envs", ())),  # type: ignore[arg-type]
        _text(found.get("base")),
    )


def parse_plan(args: list[str]) -> PlanArgs | None:
    """plan's arguments (after the word `plan`), or None when typer should parse them (neither --env
    nor --all-environments included: the command says one is needed)."""
    found = _read(args, _PLAN)
    if found is None or ("envs" not in found and "all_environments" not in found):
        return None
    out, snapshot = _text(found.get("out")), _text(found.get("snapshot"))
    return PlanArgs(
        tuple(found.get("envs", ())),  # type: ignore[arg-type]
        Path(str(found.get("catalog", DEFAULT_CATALOG))),
        None if out is None else Path(out),
        str(found.get("fmt", PLAN.default)),
        bool(found.get("detailed_exitcode", False)),
        bool(found.get("allow_delete", False)),
        _text(found.get("base")),
        None if snapshot is None else Path(snapshot),
        _text(found.get("settings_from")),
        bool(found.get("allow_delete_active", False)),
        bool(found.get("all_environments", False)),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
