"""Random passwords made once per state folder and kept in 0600 files there. Never printed here."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from kgov.errors import SandboxError

ADMIN_USER = "admin"


def write_private(path: Path, text: str) -> None:
    """Create or replace a file readable by its owner only (mode 0600 from the start, no window)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_or_create_secret(path: Path) -> str:
    """The secret in `path`, made (URL-safe random, 32 chars) if the file does not exist yet."""
    if path.exists():
        return read_secret(path)
    value = secrets.token_urlsafe(24)
    write_private(path, value + "\n")
    return value


def read_secret(path: Path) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SandboxError(
            f"cannot read {path}: {exc.strerror}", hint="start the sandbox first: kgov sandbox up"
        ) from exc
    if not value:
        raise SandboxError(f"{path} is empty", hint="remove it and run `kgov sandbox up` again")
    return value
