"""Work that makes no garbage in reference cycles, done with the garbage collector paused
(`no_cycles`).

A plan of 100,000 topics from a snapshot builds millions of objects and keeps nearly all of them to
its end (the catalog, the snapshot, the desired and observed states). The collector walks each one
at least once while young (12 collections of 200,000 objects, ~0.2 s of a 4.5 s plan, issue 23) and
finds nothing to free: kgov's recursive helpers are module functions, not closures (a closure that
calls itself is a cycle), and what such work leaves unreachable is freed at once by reference
counting. So inside `no_cycles` the collector is paused; at its end gc.freeze() moves what was built
where the collector never looks again, and it runs as before. With the collector off for a whole
plan of 100,000 topics from a snapshot, a collection at its end finds ~600 objects (the imports'),
and a lint of the example catalog only the generated structural validators' (a few objects per
file they check; most files skip them: kgov/catalog/fastcheck.py). tests/unit/test_i23_snap3_gc.py
checks both.

Only a process that ends after one command asks for this (`settle_for_one_command`, called by the
console script: kgov/cli/entry.py): in a long-lived one (the tests, a library caller) frozen
objects could never be collected, so there `no_cycles` does nothing.
"""

from __future__ import annotations

import gc

TYPE_CHECKING = False  # imported by the console script before anything else: no typing import
if TYPE_CHECKING:
    from types import TracebackType

_settle = False


def settle_for_one_command() -> None:
    """Let `no_cycles` pause the collector: for a process that ends after one command."""
    global _settle
    _settle = True


class no_cycles:  # a class for `with no_cycles():` without importing contextlib
    """Pause the collector while the block runs (nested blocks: the outermost); then freeze what
    it built and let the collector run again."""

    def __enter__(self) -> None:
        self.paused = _settle and gc.isenabled()
        if self.paused:
            gc.disable()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.paused:
            gc.freeze()  # what was built leaves the young generation: never walked again
            gc.enable()
