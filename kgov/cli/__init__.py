"""kgov's command line: the console script (`kgov = "kgov.cli:main"`) and everything that parses,
dispatches and turns an outcome into an exit code. Nothing here does a command's work
(kgov/commands does).

  entry.py      main(): `--version` at once, the usual `lint` and `plan` lines without typer, else typer
  fastpath.py   those usual lines parsed by hand (the formats from kgov/render/formats.py)
  typer_app.py  the typer app: options -> one command function -> exit code
  group.py      the root command group: usage errors exit 64, the sandbox loaded only when used
  exits.py      the one place where a command's outcome or error becomes an exit code
  sandbox.py    the `kgov sandbox` commands' options (their work: kgov/sandbox)

Importing this package stays as light as `kgov --version` needs: typer and rich load only when a
command is parsed or run; `kgov.cli.app` (the typer app) is built on first use.
"""

from __future__ import annotations

from kgov.cli.entry import exit_at_once, fast, main, open_standard_streams, tune_gc

TYPE_CHECKING = False  # not typing's: importing typing alone is a fifth of `kgov --version`
if TYPE_CHECKING:
    from typer import Typer

__all__ = ["app", "exit_at_once", "fast", "main", "open_standard_streams", "tune_gc"]


def __getattr__(name: str) -> Typer:
    if name == "app":
        from kgov.cli.typer_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
