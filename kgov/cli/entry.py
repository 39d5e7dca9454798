"""The `kgov` console script. `kgov --version` answers before typer, rich or any command is imported;
the usual lines of `kgov lint` and `kgov plan` run without typer (kgov/cli/fastpath.py), the rest
through the typer app (kgov/cli/typer_app.py).
"""

from __future__ import annotations

import gc
import os
import sys

from kgov import __version__
from kgov.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PIPE
from kgov.gcpause import settle_for_one_command

TYPE_CHECKING = False  # not typing's: importing typing alone is a fifth of `kgov --version`
if TYPE_CHECKING:
    from typing import NoReturn


def main() -> None:
    """The console script (and `python -m kgov`): a fast line exits at once; typer parses the rest."""
    open_standard_streams()
    tune_gc()
    try:
        code = fast(sys.argv[1:])
    except BrokenPipeError:  # `kgov --version | true`; a command's own is outcome()'s
        code = EXIT_PIPE
    if code is not None:
        exit_at_once(code)
    _with_typer()


def open_standard_streams() -> None:
    """/dev/null for a standard stream the caller closed (`kgov apply <&-`, as some CI runners
    start jobs): Python leaves sys.stdin None then, and the file kgov opens next would take the
    free descriptor. Reading it gives end of input, so nothing waits for an answer that cannot
    come: apply refuses without --auto-approve, as off any terminal."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115 - lives to the end


def tune_gc() -> None:
    """Collect garbage less often. kgov allocates millions of objects that live to its end (a
    catalog, a cluster's configs); with Python's default thresholds (700, 10, 10) the collector
    walked them all again and again: 16 full collections, 1.6 s of a 5.5 s plan of 10,000 topics;
    4 young ones, 0.2 s, with these. Cycles are still collected (mypy sets the same, for the same
    reason). Work that makes no cycles (reading the catalog, its lint, a plan from a snapshot) runs
    with it paused: kgov/gcpause.py."""
    gc.set_threshold(200_000, 30, 30)
    settle_for_one_command()


def fast(args: list[str]) -> int | None:
    """The exit code of `kgov --version` and of the usual lines of `kgov lint` and `kgov plan`, run
    without typer; None leaves the line to typer (`_with_typer`)."""
    if args == ["--version"]:  # the one answer that needs no imports (figures: benchmarks/)
        sys.stdout.write(f"kgov {__version__}\n")
        return 0
    if args[:1] in (["lint"], ["plan"]):
        return _without_typer(args[0], args[1:])
    return None


def exit_at_once(code: int) -> NoReturn:
    """Flush the output and end the process without tearing the interpreter down.

    A plan of a 10,000-topic catalog spends 0.1 to 0.2 s after its answer freeing every object one by
    one and joining the Kafka client's threads, for nothing: the process ends anyway. Only the fast
    commands (`fast()`) end this way; they write their files inside `with` blocks and register no
    exit handlers, so the output streams are all that is left to flush. A reader that has gone
    meanwhile (`kgov plan | head`) makes it EXIT_PIPE, as anywhere else (kgov/cli/exits.py)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            code = EXIT_PIPE
        except (OSError, ValueError):
            continue
    os._exit(code)


def _with_typer() -> None:
    try:
        from kgov.cli.typer_app import app

        app()
    except KeyboardInterrupt:  # while importing or parsing; a running command's is kgov/cli/exits.py's
        _say_interrupted()
        sys.exit(EXIT_INTERRUPTED)
    except (BrokenPipeError, SystemExit) as done:  # typer always ends with SystemExit
        from kgov.cli.exits import closed_pipe, flushed, output_closed

        if closed_pipe(done):  # outside a command (`kgov --help | head`); a command's is outcome()'s
            sys.exit(output_closed())
        if flushed(EXIT_OK) == EXIT_PIPE:  # a reader gone with output still buffered: flush now, or
            sys.exit(EXIT_PIPE)  # Python complains at exit ("Exception ignored ...") and exits 120
        raise


def _without_typer(command: str, args: list[str]) -> int | None:
    """Run `kgov lint` or `kgov plan` when its arguments are the usual ones (kgov/cli/fastpath.py) and
    return its exit code; None leaves them to typer."""
    try:
        from kgov.cli.exits import outcome
        from kgov.cli.fastpath import parse_lint, parse_plan

        if command == "lint":
            lint = parse_lint(args)
            if lint is None:
                return None
            from kgov.commands.lint import run_lint

            code = outcome(
                lambda: run_lint(lint.catalog, lint.fmt, strict=lint.strict, envs=lint.envs, base=lint.base)
            )
        else:
            plan = parse_plan(args)
            if plan is None:
                return None
            from kgov.cli.many import plan_command

            code = outcome(
                lambda: plan_command(
                    plan.catalog,
                    plan.envs,
                    plan.all_environments,
                    out=plan.out,
                    fmt=plan.fmt,
                    detailed_exitcode=plan.detailed_exitcode,
                    allow_delete=plan.allow_delete,
                    allow_delete_active=plan.allow_delete_active,
                    base=plan.base,
                    snapshot=plan.snapshot,
                    settings_from=plan.settings_from,
                )
            )
    except KeyboardInterrupt:  # while importing; a running command's is outcome()'s
        code = EXIT_INTERRUPTED
        _say_interrupted()
    return code


def _say_interrupted() -> None:
    from contextlib import suppress

    with suppress(OSError):  # stderr's reader may have gone too: the exit code says it
        sys.stderr.write("interrupted\n")
