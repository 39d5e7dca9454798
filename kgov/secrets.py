"""Secrets in settings: which fields hold them, and their `${env:NAME}` / `${file:PATH}` references.

A reference is resolved only when a connection is made (Kafka now, SCRAM apply later), and what it
resolves to goes to the client and nowhere else. Anything shown to a person uses the reference as
written (`shown`); and since a library may still quote a resolved value back (librdkafka names the
broker it could not resolve), every user-facing error is passed through `redact` (kgov.errors does).
This module imports nothing from plan, cluster or commands: they all depend on it, not it on them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kgov.errors import ConfigError
from kgov.readfile import Unreadable, read_regular
from kgov.sanitize import printable

# Fields that hold a secret, in every block that has them (kafka, schema_registry, SCRAM
# authentication): written as references, never quoted in a message, never printed resolved.
SECRET_FIELDS = frozenset({"password", "ssl_key_password"})

REF = re.compile(r"\$\{(env|file):([^}]*)\}")

# Fields that may be written as references but name something, not a secret: their resolved value
# is not redacted from messages (a user name also names topics and principals, which must show).
PUBLIC_FIELDS = frozenset({"username"})

# A ${file:} target is a password or a short token: anything bigger is a mistake (or /dev/zero).
MAX_SECRET_FILE_BYTES = 64 * 1024
# Resolved values shorter than this are not searched for in messages (a "1" would garble them all).
_MIN_REDACTED = 3

# value resolved in this process -> the reference it came from, for `redact`
_resolved: dict[str, str] = {}


def is_reference(value: object) -> bool:
    """True if the value is exactly one secret reference (what a password field must be)."""
    return isinstance(value, str) and REF.fullmatch(value.strip()) is not None


def shown(value: object) -> str:
    """A setting as it may be shown: as written in the catalog (references unresolved), printable."""
    return printable(str(value))


def resolve_refs(value: object, field_name: str) -> str:
    """Substitute every ${env:NAME} / ${file:PATH} in a setting; a missing one is named in the error.

    The error messages name the variable or file, never a value."""
    text = str(value)

    def sub(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2).strip()
        if kind == "env":
            if name not in os.environ:
                raise ConfigError(
                    f"{field_name} refers to the environment variable {printable(name)}, which is not set",
                    hint=f'export {printable(name)}=… (for the local sandbox: eval "$(kgov sandbox env)")',
                )
            resolved = os.environ[name]
        else:
            resolved = read_secret_file(name, field_name)
        if field_name.rsplit(".", 1)[-1] not in PUBLIC_FIELDS:
            _remember(resolved, match.group(0))
        return resolved

    return REF.sub(sub, text)


def read_secret_file(name: str, field_name: str) -> str:
    """The stripped UTF-8 text of a ${file:} target: a regular file of at most MAX_SECRET_FILE_BYTES.

    A FIFO, /dev/stdin or /dev/zero is refused without reading (no hang, no memory exhausted)."""
    what = f"{field_name} refers to the file {printable(name)}, which"
    try:
        # Symlinks are followed: mounted secrets (Kubernetes) are links.
        raw = read_regular(Path(name).expanduser(), MAX_SECRET_FILE_BYTES)
    except Unreadable as refused:  # the reason never quotes the content
        if refused.too_big:
            over = f"{what} is over {MAX_SECRET_FILE_BYTES // 1024} KiB"
            raise ConfigError(over, hint="it holds one secret") from None
        if refused.cause == "not-regular":
            raise ConfigError(
                f"{what} is {refused.reason}", hint="point ${file:} at a plain file holding the secret"
            ) from None
        raise ConfigError(f"{what} {refused.reason.replace('cannot read', 'cannot be read')}") from None
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{what} is not UTF-8 text", hint="save the secret as UTF-8 text") from None
    if not text:
        raise ConfigError(f"{what} is empty", hint="write the secret into the file")
    return text


def _remember(value: str, reference: str) -> None:
    for part in (value, *value.splitlines()):
        part = part.strip()
        if len(part) >= _MIN_REDACTED:
            _resolved.setdefault(part, reference)


def redact(text: str) -> str:
    """`text` with every value resolved from a reference in this process replaced by the reference."""
    if not _resolved or not text:
        return text
    for value in sorted(_resolved, key=len, reverse=True):
        if value in text:
            text = text.replace(value, _resolved[value])
    return text
