"""Reads of different backends at once: the registry answers while the broker does.

A plan observes its kinds one after the other; the kinds of one backend must stay in order (a later
kind reuses a listing an earlier one read, kgov/engine/reads.py), but the broker and the registry are
independent, so waiting for one before asking the other only adds their times up (10,000 topics and
1,000 subjects: about 10 s of broker answers, then about 5 s of registry answers). Here the reads of
every backend but the first run in a daemon thread of their own, in order, started at once; the
first backend's run in the caller's thread when asked for, so its errors come first, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from kgov.cluster.interrupt import SLICE_S


class _Later:
    """A read run now in the caller's thread, when asked for."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn

    def result(self) -> Any:
        return self._fn()


class _Ahead:
    """A read already started (or queued behind the same backend's earlier reads) in a thread."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.outcome: tuple[bool, Any] = (False, None)

    def result(self) -> Any:
        while not self.done.wait(SLICE_S):  # short slices: a pending Ctrl-C is raised here
            pass
        ok, value = self.outcome
        if ok:
            return value
        raise value


def overlapped(reads: Sequence[tuple[str, Callable[[], Any]]]) -> list[_Later | _Ahead]:
    """(backend, read) pairs, one handle each whose result() is the read's answer (or its error).
    The first backend's reads run when asked for; each other backend's start now, in their order."""
    first = reads[0][0] if reads else None
    handles: list[_Later | _Ahead] = []
    queues: dict[str, list[tuple[_Ahead, Callable[[], Any]]]] = {}
    for backend, fn in reads:
        if backend == first:
            handles.append(_Later(fn))
        else:
            ahead = _Ahead()
            queues.setdefault(backend, []).append((ahead, fn))
            handles.append(ahead)
    for backend, queued in queues.items():
        threading.Thread(target=_run, args=(queued,), name=f"kgov-read-{backend}", daemon=True).start()
    return handles


def _run(queued: list[tuple[_Ahead, Callable[[], Any]]]) -> None:
    failed: BaseException | None = None
    for ahead, fn in queued:
        try:
            if failed is not None:  # a backend that failed once is not asked again
                raise failed
            ahead.outcome = (True, fn())
        except BaseException as exc:  # handed to the caller's thread, which raises it
            failed = exc
            ahead.outcome = (False, exc)
        finally:
            ahead.done.set()
