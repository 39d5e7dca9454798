"""The one place where a command's outcome becomes an exit code, for every kgov command.

A command is a function returning an int. KgovError is the only expected failure: it becomes a
message on stderr and its exit code. Anything else is a bug: one line, never a traceback (unless
KGOV_DEBUG is set).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from kgov.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, KgovError


def _say(text: str, *, markup: bool = True) -> None:
    # rich costs more to import than a clean `kgov lint` takes to run: load it only to report.
    # soft_wrap: a message is one line, grep-able.
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(text, markup=markup)


def _escape(text: str) -> str:
    # Messages carry user and Kafka text: escape it, or a '[/x]' in it breaks the markup.
    from rich.markup import escape

    return escape(text)


def run_command(command: Callable[[], int]) -> NoReturn:
    """Run a typer command's function and exit with its code."""
    import typer

    raise typer.Exit(outcome(command))


def outcome(command: Callable[[], int]) -> int:
    """The exit code of a command function; its errors reported on stderr (typer is not needed)."""
    try:
        code = command()
    except KgovError as exc:
        _say(f"[bold red]error:[/] {_escape(exc.message)}")
        if exc.hint:
            _say(f"  hint: {exc.hint}", markup=False)
        code = exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted")
        code = EXIT_INTERRUPTED
    except Exception as exc:  # last resort: bad input must never show a traceback
        if os.environ.get("KGOV_DEBUG"):
            raise
        from kgov.secrets import redact  # a library's text may quote a resolved secret

        _say(
            f"[bold red]internal error:[/] {_escape(redact(f'{type(exc).__name__}: {exc}'))}\n"
            "  This is a bug in kgov; rerun with KGOV_DEBUG=1 for a traceback and report it."
        )
        code = EXIT_ERROR
    return code


@contextmanager
def usage_errors() -> Iterator[None]:
    """Give command-line usage errors (click's exit 2) EXIT_USAGE: 2 means "changes present" to CI."""
    from typer._click.exceptions import UsageError  # typer >= 0.26 carries its own click

    try:
        yield
    except UsageError as exc:
        exc.exit_code = EXIT_USAGE
        raise
