"""The one place where a command's outcome becomes an exit code, for every kgov command.

A command is a function returning an int. KgovError is the only expected failure: it becomes a
message on stderr and its exit code. Anything else is a bug: one line, never a traceback (unless
KGOV_DEBUG is set). A closed output pipe (`kgov diff | head`) ends the command quietly with
EXIT_PIPE (128+SIGPIPE, what a shell reports for a tool the signal ends); Ctrl-C with EXIT_INTERRUPTED.
kgov/cli/entry.py's fast path and `_with_typer` send their own closed pipes here too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from kgov.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_PIPE, EXIT_USAGE, KgovError
from kgov.sanitize import guarded, printable


def _say(text: str, *, markup: bool = True) -> None:
    # rich costs more to import than a clean `kgov lint` takes to run: load it only to report.
    # soft_wrap: a message is one line, grep-able, and no wrapped line begins with a value;
    # GuardedStream: nor does a line begin a CI command or end a Markdown fence.
    from rich.console import Console

    try:
        console = Console(file=guarded("stderr"), highlight=False, soft_wrap=True, emoji=False)
        console.print(text, markup=markup)
    except (BrokenPipeError, SystemExit) as exc:
        if not closed_pipe(exc):
            raise
        output_closed()  # stderr's reader has gone: nobody is left to tell


def _escape(text: str) -> str:
    # Messages carry user, file and Kafka text: control characters shown as escapes (one line, no
    # terminal escape), and rich's markup escaped, or a '[/x]' in it breaks the markup.
    from rich.markup import escape

    return escape(printable(text))


def output_closed() -> int:
    """The reader of stdout or stderr has gone: write nothing more, and return EXIT_PIPE.

    Both streams' descriptors are pointed at /dev/null, so what is still buffered goes nowhere and
    the interpreter's last flush at exit does not print "Exception ignored ... BrokenPipeError".
    (Not SIGPIPE's default action instead: it would kill `kgov apply | head` half-way through.)"""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return EXIT_PIPE
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (AttributeError, OSError, ValueError):  # None, closed, or not a file (a test's capture)
            continue
    os.close(devnull)
    return EXIT_PIPE


def closed_pipe(exc: BaseException) -> bool:
    """Whether `exc` is how a closed pipe surfaced: the error itself, or the SystemExit(1) that rich
    (Console.on_broken_pipe) and click raise while handling it."""
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, SystemExit) and isinstance(exc.__context__, BrokenPipeError)
    )


def flushed(code: int) -> int:
    """`code`, once stdout and stderr are flushed; EXIT_PIPE if a reader has gone meanwhile."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            return output_closed()
        except (OSError, ValueError):  # closed: nothing to flush
            continue
    return code


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
            _say(f"  hint: {printable(exc.hint)}", markup=False)
        code = exc.exit_code
    except BrokenPipeError:  # stdout's or stderr's reader has gone (`kgov diff | head`): end quietly
        code = output_closed()
    except SystemExit as exc:
        if not closed_pipe(exc):
            raise
        code = output_closed()
    except KeyboardInterrupt:
        _say("interrupted")
        code = EXIT_INTERRUPTED
    except Exception as exc:  # last resort: bad input must never show a traceback
        if os.environ.get("KGOV_DEBUG"):
            raise
        from kgov.redact import redact  # a library's text may quote a resolved secret

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

