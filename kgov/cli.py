"""The `kgov` console script. `kgov --version` answers before typer, rich or any command is imported;
the usual lines of `kgov lint` and `kgov plan` run without typer (kgov/cli_fast.py).

The typer app lives in kgov/app.py; `kgov.cli.app` still names it (tests and older imports use it).
"""

from __future__ import annotations

import sys

from kgov import __version__
from kgov.errors import EXIT_INTERRUPTED

TYPE_CHECKING = False  # not typing's: importing typing alone is a fifth of `kgov --version`
if TYPE_CHECKING:
    from typer import Typer


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # the one answer that needs no imports (figures: benchmarks/)
        sys.stdout.write(f"kgov {__version__}\n")
        return
    if sys.argv[1:2] in (["lint"], ["plan"]) and _without_typer(sys.argv[1], sys.argv[2:]):
        return
    try:
        from kgov.app import app

        app()
    except KeyboardInterrupt:  # while importing or parsing; a running command's is kgov/exits.py's
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


def _without_typer(command: str, args: list[str]) -> bool:
    """Run `kgov lint` or `kgov plan` and exit when its arguments are the usual ones (kgov/cli_fast.py);
    False leaves them to typer."""
    try:
        from kgov.cli_fast import parse_lint, parse_plan
        from kgov.exits import outcome

        if command == "lint":
            lint = parse_lint(args)
            if lint is None:
                return False
            from kgov.commands.lint import run_lint

            code = outcome(
                lambda: run_lint(lint.catalog, lint.fmt, strict=lint.strict, envs=lint.envs, base=lint.base)
            )
        else:
            plan = parse_plan(args)
            if plan is None:
                return False
            from kgov.commands.plan import run_plan

            code = outcome(
                lambda: run_plan(
                    plan.catalog,
                    plan.env,
                    out=plan.out,
                    fmt=plan.fmt,
                    detailed_exitcode=plan.detailed_exitcode,
                    allow_delete=plan.allow_delete,
                    base=plan.base,
                    snapshot=plan.snapshot,
                )
            )
    except KeyboardInterrupt:  # while importing; a running command's is outcome()'s
        code = EXIT_INTERRUPTED
        sys.stderr.write("interrupted\n")
    sys.exit(code)


def __getattr__(name: str) -> Typer:
    if name == "app":
        from kgov.app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
