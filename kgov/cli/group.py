"""kgov's root command group: usage errors exit EXIT_USAGE; the sandbox commands are listed, but their
module loads only when they run.

The sandbox package (and rich's tables and spinners it uses) costs more to import than `kgov lint` takes
to run, and no other command needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typer.core import TyperGroup

from kgov.cli.exits import usage_errors

# The sandbox app's help, shown in `kgov --help` without importing it (a test keeps the two equal).
SANDBOX_HELP = "Run a real local Kafka (KRaft, SCRAM, TLS, ACLs) and Schema Registry (Apicurio, ccompat API)."
SANDBOX_EXAMPLES = (
    "[bold]Examples[/]\n\n"
    "  kgov sandbox up               [dim]# the first run fetches Kafka and the registry[/]\n\n"
    '  eval "$(kgov sandbox env)"    [dim]# KGOV_* variables of the catalog\'s local environment[/]\n\n'
    "  kgov plan --env local\n\n"
    "  kgov sandbox down"
)


class LazyGroup(TyperGroup):
    """A sub-group shown by name and help; the real group is built when the sub-command is parsed."""

    def __init__(self, name: str, help: str, load: Callable[[], TyperGroup]) -> None:
        super().__init__(name=name, help=help)
        self._load = load

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        # The context belongs to the real group: help, parsing and invoking are all its own.
        return self._load().make_context(info_name, args, parent=parent, **extra)


def _sandbox_group() -> TyperGroup:
    import typer

    from kgov.cli.sandbox import app

    group = typer.main.get_group(app)
    group.epilog = group.epilog or SANDBOX_EXAMPLES
    return group


class KgovGroup(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.add_command(LazyGroup("sandbox", SANDBOX_HELP, _sandbox_group))

    # Usage errors surface while parsing the root's options and while the chosen sub-command parses its own.
    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        with usage_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with usage_errors():
            return super().invoke(ctx)
