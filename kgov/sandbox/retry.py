"""Waiting for a starting service: one deadline for all of `up`, and retries of connection-level failures.

A JVM that has just opened its port may still refuse, reset or drop connections, time out, or answer
503 for a while, longer on a loaded machine. Such failures mean "not yet": they are retried until the
deadline (`up --timeout`). Any other error (a 4xx, an answer that makes no sense) is a real one and is
raised at once. When the deadline passes, the error names the step and the last failure seen.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from kgov.errors import SandboxError

T = TypeVar("T")

PAUSE = 0.25  # between two attempts
MIN_ATTEMPT = 0.5  # the shortest time one attempt is given, even with the deadline (nearly) passed
TIMEOUT_HINT = "a slow or loaded machine? retry with a longer --timeout; the processes were stopped"


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() value
    seconds: float  # the whole time allowed (`up --timeout`), for messages

    @classmethod
    def after(cls, seconds: float, start: float | None = None) -> Deadline:
        return cls((time.monotonic() if start is None else start) + seconds, seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.remaining() <= 0

    def attempt(self, longest: float) -> float:
        """How long one attempt may take: at most `longest`, and no longer than what is left (but at
        least MIN_ATTEMPT, so that the last attempt can still succeed)."""
        return max(MIN_ATTEMPT, min(longest, self.remaining()))


def connection_failure(exc: BaseException) -> bool:
    """True for the failures of a service that is not (yet, or for a moment) serving: connection
    refused/reset/aborted, closed without an answer, a timeout, an HTTP 5xx."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500
    if isinstance(exc, urllib.error.URLError):
        return isinstance(exc.reason, BaseException) and connection_failure(exc.reason)
    # RemoteDisconnected ("Remote end closed connection without response") is a ConnectionResetError
    # and an HTTPException; IncompleteRead and BadStatusLine are HTTPExceptions.
    return isinstance(exc, ConnectionError | TimeoutError | http.client.HTTPException)


def describe(exc: BaseException) -> str:
    """A failure as one short line: the reason of a URLError, the message, else the type's name."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        text = str(reason) if not isinstance(reason, BaseException) else describe(reason)
    else:
        text = str(exc)
    return text if text.strip() else type(exc).__name__


def timed_out(step: str, deadline: Deadline, last: str, more: str = "") -> SandboxError:
    """The error of a step that was still failing when the deadline passed."""
    return SandboxError(
        f"gave up after {deadline.seconds:g}s (--timeout) at the step: {step}. Last error: {last}{more}",
        hint=TIMEOUT_HINT,
    )


def retry(
    step: str,
    deadline: Deadline,
    action: Callable[[float], T],
    *,
    longest: float = 5.0,
    transient: Callable[[BaseException], bool] = connection_failure,
    explain: Callable[[BaseException], str] = describe,
    check: Callable[[], None] | None = None,
) -> T:
    """action(timeout of this attempt), again after each transient failure until the deadline; then
    SandboxError naming the step and the last failure. Any other error is raised as it is, at once.
    check() runs after each failure and may raise to stop at once (e.g. the service's process died)."""
    while True:
        try:
            return action(deadline.attempt(longest))
        except Exception as exc:
            if not transient(exc):
                raise
            last = explain(exc)
        if check is not None:
            check()
        if deadline.passed():
            raise timed_out(step, deadline, last)
        time.sleep(min(PAUSE, max(0.0, deadline.remaining())))
