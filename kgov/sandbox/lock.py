"""One `up`/`down` at a time per state folder (an advisory flock on a file inside it)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kgov.errors import SandboxError


@contextmanager
def state_lock(root: Path, *, wait: bool = True) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(root / ".lock", "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SandboxError(
                f"another kgov command is working on the sandbox in {root}",
                hint="wait for it to finish and try again",
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
