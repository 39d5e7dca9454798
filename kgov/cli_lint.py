"""`kgov lint` without typer: its usual command lines parsed by hand, everything else left to typer.

Building the typer app costs more than linting a catalog, and lint runs on every commit as a pre-commit
hook. This parser knows exactly the options kgov/app.py declares for lint (a test compares the two on
many command lines) and answers None for anything else: --help, a bad or missing value, an unknown
option, a second folder. typer then prints the help or the usage error, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kgov.commands.lint import LINT_FORMATS

DEFAULT_CATALOG = Path("catalog")
_VALUED = {"--format": "format", "-f": "format", "--env": "env", "-e": "env", "--base": "base", "-b": "base"}
_FLAGS = {"--strict": "strict"}


@dataclass(frozen=True)
class LintArgs:
    catalog: Path
    fmt: str
    strict: bool
    envs: tuple[str, ...]
    base: str | None = None


def parse(args: list[str]) -> LintArgs | None:
    """lint's arguments (after the word `lint`), or None when typer should parse them."""
    catalog: Path | None = None
    fmt, strict, envs, base = "text", False, [], None
    rest = list(args)
    while rest:
        token = rest.pop(0)
        name, eq, inline = token.partition("=")
        if token in _FLAGS:
            strict = True
            continue
        if not token.startswith("-"):
            if catalog is not None:
                return None
            catalog = Path(token)
            continue
        if eq and name.startswith("--") and name in _VALUED:
            value = inline
        elif token in _VALUED and rest and not rest[0].startswith("-"):
            name, value = token, rest.pop(0)
        else:
            return None  # --help, `--`, an unknown option, a missing value, -f=json, -fjson: typer's
        if _VALUED[name] == "format":
            if value not in LINT_FORMATS:
                return None
            fmt = value
        elif _VALUED[name] == "base":
            base = value
        else:
            envs.append(value)
    return LintArgs(catalog or DEFAULT_CATALOG, fmt, strict, tuple(envs), base)
