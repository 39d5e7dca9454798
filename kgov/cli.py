"""The `kgov` console script. `kgov --version` answers before typer, rich or any command is imported.

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
    if sys.argv[1:2] == ["lint"] and _lint_without_typer(sys.argv[2:]):
        return
    try:
        from kgov.app import app

        app()
    except KeyboardInterrupt:  # while importing or parsing; a running command's is kgov/exits.py's
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


def _lint_without_typer(args: list[str]) -> bool:
    """Run `kgov lint` and exit when its arguments are the usual ones; False leaves them to typer."""
    try:
        from kgov.cli_lint import parse

        parsed = parse(args)
        if parsed is None:
            return False
        from kgov.commands.lint import run_lint
        from kgov.exits import outcome

        code = outcome(
            lambda: run_lint(
                parsed.catalog, parsed.fmt, strict=parsed.strict, envs=parsed.envs, base=parsed.base
            )
        )
    except KeyboardInterrupt:  # while importing; a running lint's is outcome()'s
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
