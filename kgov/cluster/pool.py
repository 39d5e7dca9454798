"""Bounded concurrency for registry requests: a few daemon threads, kept for the process's life.

Why not a ThreadPoolExecutor per batch: its worker threads are new each time (so each batch opened
new connections, where the adapter keeps one keep-alive connection per thread), and Ctrl-C waited
for them: leaving its `with` block runs every queued call first, and the interpreter joins its
threads at exit. Here the threads are daemons that outlive a batch (their connections are reused by
the next one), the caller waits in short slices (kgov/cluster/interrupt.py's habit) so Ctrl-C is
raised at once, and calls not yet started when it comes, or after a call failed, never start.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from kgov.cluster.interrupt import SLICE_S

K = TypeVar("K")
T = TypeVar("T")


class _Batch(Generic[K, T]):
    """One run(): its calls' results, the first error, and when every call has ended or been skipped."""

    def __init__(self, fn: Callable[[K], T], items: Sequence[K]) -> None:
        self.fn, self.items = fn, items
        self.results: list[Any] = [None] * len(items)
        self.error: BaseException | None = None
        self.stopped = False  # set on the first error or on Ctrl-C: later calls are skipped
        self.done = threading.Event()
        self._left = len(items)
        self._lock = threading.Lock()

    def run_one(self, index: int) -> None:
        try:
            if not self.stopped:
                self.results[index] = self.fn(self.items[index])
        except BaseException as exc:  # handed to the caller's thread, which raises it
            with self._lock:
                if self.error is None:
                    self.error = exc
                self.stopped = True
        finally:
            with self._lock:
                self._left -= 1
                if self._left == 0:
                    self.done.set()


class WorkerPool:
    """`size` daemon threads started on first use; `run` spreads a batch of calls over them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._jobs: queue.SimpleQueue[tuple[_Batch[Any, Any], int]] = queue.SimpleQueue()
        self._started = 0
        self._lock = threading.Lock()
        self._mine = threading.local()  # marks this pool's worker threads

    def run(self, fn: Callable[[K], T], items: Sequence[K]) -> dict[K, T]:
        """fn(item) for every item, at most `size` at a time; the results by item, in the items'
        order. The first error is raised once the calls already started have ended; no other call
        starts after it. Ctrl-C (KeyboardInterrupt) is raised in the caller at once, and the calls
        not started never start; the running ones end with their own timeouts."""
        width = min(self.size, len(items))
        if width <= 1 or getattr(self._mine, "worker", False):  # a worker never waits on its own pool
            return {item: fn(item) for item in items}
        batch: _Batch[K, T] = _Batch(fn, items)
        self._start(width)
        try:
            for index in range(len(items)):
                self._jobs.put((batch, index))
            while not batch.done.wait(SLICE_S):  # short slices: a pending Ctrl-C is raised here
                pass
        except BaseException:
            batch.stopped = True
            raise
        if batch.error is not None:
            raise batch.error
        return dict(zip(items, batch.results, strict=True))

    def _start(self, wanted: int) -> None:
        with self._lock:
            while self._started < wanted:
                self._started += 1
                name = f"kgov-registry-{self._started}"
                threading.Thread(target=self._work, name=name, daemon=True).start()

    def _work(self) -> None:
        self._mine.worker = True
        while True:
            batch, index = self._jobs.get()
            batch.run_one(index)


WORKERS = 8  # enough to hide a registry's latency, few enough not to flood it
POOL = WorkerPool(WORKERS)


def run_all(fn: Callable[[K], T], items: Sequence[K], concurrency: int) -> dict[K, T]:
    """fn over items: one after the other when `concurrency` is 1, else on the shared pool."""
    if concurrency <= 1:
        return {item: fn(item) for item in items}
    return POOL.run(fn, items)
