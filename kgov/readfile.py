"""Reading a file kgov is given (catalog files, plan files, snapshots, schema files, `${file:}`
secrets): regular files only, bounded, never blocking.

Every path kgov reads can come from a pull request or a script: a FIFO would block `open` forever,
/dev/zero would fill the memory, a symlink in the catalog could point at a private key. So the file
is opened without blocking (O_NONBLOCK: a FIFO opens at once), the OPENED descriptor is checked (not
the path, which could be swapped between a check and the open), and at most max_bytes + 1 bytes are
read, so a file that is too big is refused without reading it all. This module says why a file was
refused; each caller words it for its own channel (a lint diagnostic, a PlanError, a ConfigError),
without ever quoting the file's content.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Unreadable(Exception):
    """Why a file was not read: `reason` follows "<path>: " (no content is ever quoted); `cause`
    says which check refused it, for callers that word it their own way."""

    reason: str
    cause: Literal["unreadable", "not-regular", "too-big"]

    @property
    def too_big(self) -> bool:
        return self.cause == "too-big"

    def __str__(self) -> str:
        return self.reason


def describe_size(max_bytes: int) -> str:
    """A size limit for people: 256 MiB, 64 KiB, 1000 bytes."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if max_bytes >= size and max_bytes % size == 0:
            return f"{max_bytes // size} {unit}"
    return f"{max_bytes} bytes"


def read_regular(path: Path | str, max_bytes: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of `path`, a regular file of at most `max_bytes`; Unreadable otherwise.

    `follow_symlinks=False`: a symlink (as the last part of the path) is refused, not followed; for
    callers that checked where the path leads and must not be fooled by a link swapped in since."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}", "unreadable") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO, socket or device"
            raise Unreadable(f"not a regular file ({kind}); refused unread", "not-regular")
        too_big = Unreadable(f"larger than {describe_size(max_bytes)}; refused", "too-big")
        if info.st_size > max_bytes:  # cheap: refused before a byte is read
            raise too_big
        chunks, left = [], max_bytes + 1  # one byte more than allowed: a file that grew is caught too
        while left > 0 and (chunk := os.read(fd, min(left, _CHUNK))):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise too_big
        return data
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}", "unreadable") from None
    finally:
        os.close(fd)
