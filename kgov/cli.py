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
    try:
        from kgov.app import app

        app()
    except KeyboardInterrupt:  # while importing or parsing; a running command's is kgov/exits.py's
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


def __getattr__(name: str) -> Typer:
    if name == "app":
        from kgov.app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
