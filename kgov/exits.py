"""The one place where a command's outcome becomes an exit code, for every kgov command.

A command is a function returning an int. KgovError is the only expected failure: it becomes a
message on stderr and its exit code. Anything else is a bug: one line, never a traceback (unless
KGOV_DEBUG is set).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from kgov.errors import EXIT_ERROR, KgovError

_err = Console(stderr=True, highlight=False, soft_wrap=True)  # a message is one line: grep-able


def run_command(command: Callable[[], int]) -> NoReturn:
    try:
        code = command()
    except KgovError as exc:
        # Messages carry user and Kafka text: escape it, or a '[/x]' in it breaks the markup.
        _err.print(f"[bold red]error:[/] {escape(exc.message)}")
        if exc.hint:
            _err.print(f"  hint: {exc.hint}", markup=False)
        code = exc.exit_code
    except KeyboardInterrupt:
        _err.print("interrupted")
        code = 130
    except Exception as exc:  # last resort: bad input must never show a traceback
        if os.environ.get("KGOV_DEBUG"):
            raise
        _err.print(
            f"[bold red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')}\n"
            "  This is a bug in kgov; rerun with KGOV_DEBUG=1 for a traceback and report it."
        )
        code = EXIT_ERROR
    raise typer.Exit(code)
