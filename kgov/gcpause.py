"""Build what lives to the process's end with the garbage collector paused (`long_lived`).

A plan of 100,000 topics keeps millions of objects to its end: the catalog and the snapshot. The
collector walks each one it finds among its young objects at least once (12 young collections of
200,000 objects, ~0.2 s of a 4.5 s plan, issue 23) and never finds anything to free there. While
they are built it is paused; then gc.freeze() moves them where it never looks again, and it runs as
before for the rest of the process. Only the console script asks for this (`settle_long_lived`,
kgov/cli/entry.py): in a long-lived process (the tests, a library caller) frozen objects could
never be collected, so there `long_lived` does nothing.

What these builds leave unreachable is still freed at once by reference counting; only garbage in
reference cycles outlives them (kept to the end of the process). kgov's recursive helpers are
module functions, not closures, so the one such garbage left is a few objects per file the
generated structural validators check (kgov/catalog/compiled/; most files skip them:
kgov/catalog/fastcheck.py). tests/unit/test_i23_snap3_gc.py checks both.
"""

from __future__ import annotations

import gc

TYPE_CHECKING = False  # imported by the console script before anything else: no typing import
if TYPE_CHECKING:
    from types import TracebackType

_settle = False


def settle_long_lived() -> None:
    """Let `long_lived` pause the collector: for a process that ends after one command."""
    global _settle
    _settle = True


class long_lived:  # a class for `with long_lived():` without importing contextlib
    """Pause the collector while the block builds what lives to the end; then freeze it."""

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
