"""Blocking librdkafka calls that Ctrl-C stops within a fraction of a second.

A call into librdkafka (AdminClient.list_topics, a future's result) blocks in C, and Python runs its
SIGINT handler only when the main thread executes bytecode again: Ctrl-C would wait for timeout_ms.
So the call runs in a daemon worker thread while the main thread waits in short slices, where the
KeyboardInterrupt is raised. An abandoned worker ends with its own timeout or with the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

SLICE_S = 0.05  # how long the main thread may sit in C before it looks for a pending Ctrl-C

P = ParamSpec("P")
T = TypeVar("T")


def call_interruptibly(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """fn(*args, **kwargs), returned or raised as if called here, but Ctrl-C interrupts the wait."""
    done = threading.Event()
    outcome: list[Any] = []  # [True, result] or [False, exception], set by the worker

    def work() -> None:
        try:
            outcome[:] = [True, fn(*args, **kwargs)]
        except BaseException as exc:  # handed to the caller's thread, which raises it
            outcome[:] = [False, exc]
        finally:
            done.set()

    threading.Thread(target=work, name=f"kgov-call-{getattr(fn, '__name__', 'fn')}", daemon=True).start()
    while not done.wait(SLICE_S):
        pass
    ok, value = outcome
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def wait_futures(futures: Iterable[Future[Any]], timeout: float) -> bool:
    """Wait until every future is done or `timeout` seconds have passed, in slices Ctrl-C interrupts.

    True when all are done; a caller then reads each `future.result()` without blocking. Each future
    counts itself down once, when done: a slice then costs one Event wait, not a pass over thousands
    of futures (concurrent.futures.wait installs a waiter on every pending future at each call)."""
    pending = [f for f in futures if not f.done()]
    if not pending:
        return True
    left = [len(pending)]
    lock = threading.Lock()
    all_done = threading.Event()

    def one_done(_: Future[Any]) -> None:
        with lock:
            left[0] -= 1
            if left[0] == 0:
                all_done.set()

    for future in pending:
        future.add_done_callback(one_done)  # runs at once if the future finished meanwhile
    deadline = time.monotonic() + timeout
    while not all_done.wait(SLICE_S):
        if time.monotonic() >= deadline:
            return False
    return True
