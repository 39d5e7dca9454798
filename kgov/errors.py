"""One error family for everything kgov reports to a user; kgov/cli/exits.py maps it to exit codes."""

from __future__ import annotations

from kgov.redact import redact

# Exit codes, Terraform style: 0 nothing to do, 1 error, 2 changes present (--detailed-exitcode);
# a usage error (unknown option, missing or bad value) is EX_USAGE, never a plan result; Ctrl-C is 128+SIGINT;
# a closed output pipe (`kgov diff | head`) is 128+SIGPIPE, with no message, as shells report other tools.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141


def combined_exit(codes: list[int]) -> int:
    """Several environments' exit codes as one (`kgov plan --env A --env B`): an error in any is an
    error (1), else changes in any are changes (2), else 0."""
    if any(code not in (EXIT_OK, EXIT_CHANGES) for code in codes):
        return EXIT_ERROR
    return EXIT_CHANGES if EXIT_CHANGES in codes else EXIT_OK


class KgovError(Exception):
    """An expected failure with a message for humans. Never carries a secret."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        # A library may quote a value resolved from ${env:}/${file:} back (librdkafka names the
        # broker it cannot resolve): show the reference instead, whoever raised the error.
        message = redact(message)
        hint = redact(hint) if hint is not None else None
        super().__init__(message)
        self.message = message
        self.hint = hint


class CatalogError(KgovError):
    """The catalog is invalid; the diagnostics have been reported already."""


class UsageError(KgovError):
    """A command-line value the command cannot use (click checks most before the command runs)."""

    exit_code = EXIT_USAGE


class ConfigError(KgovError):
    """A setting or environment (variables, connection options) is missing or wrong."""


class ClusterError(KgovError):
    """The cluster or the Schema Registry could not be reached or refused a request."""


class PlanError(KgovError):
    """A saved plan cannot be used (stale, wrong version, unreadable)."""


class SandboxError(KgovError):
    """The local sandbox could not be started, stopped or inspected."""
