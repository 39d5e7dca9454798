"""Secrets in settings: which fields hold them, and their `${env:NAME}` / `${file:PATH}` references.

A reference is resolved only when a connection is made (Kafka now, SCRAM apply later), and what it
resolves to goes to the client and nowhere else. Anything shown to a person uses the reference as
written (`shown`); and since a library may still quote a resolved value back (librdkafka names the
broker it could not resolve), every value resolved here is remembered (kgov/redact.py), and every
user-facing error is passed through `redact`.

A value resolved for a secret field (a password) is redacted in fragments too; a value resolved for
a field that is not secret (bootstrap servers, a URL, a user name, a file path) only whole (the
forms: kgov/redact.py). The same value used in both is a secret.
This module imports nothing from plan, cluster or commands: they all depend on it, not it on them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kgov.errors import ConfigError
from kgov.readfile import Unreadable, read_regular
from kgov.redact import forget as forget_remembered
from kgov.redact import remember
from kgov.sanitize import printable

# Fields that hold a secret, in every block that has them (kafka, schema_registry, SCRAM
# authentication): written as references, never quoted in a message, never printed resolved.
SECRET_FIELDS = frozenset({"password", "ssl_key_password", "client_secret", "bearer_token"})
# Blocks nested in a kafka or schema_registry block whose fields may be secret too (an OIDC client's
# client_secret): the literal-secret rule and the redaction of resolved references look inside them.
NESTED_SECRET_BLOCKS = ("oauth",)

REF = re.compile(r"\$\{(env|file):([^}]*)\}")

# A ${file:} target is a password or a short token: anything bigger is a mistake (or /dev/zero).
MAX_SECRET_FILE_BYTES = 64 * 1024
# references written in a secret field anywhere in the catalog: secret in whatever field they are used
_secret_references: set[str] = set()


def is_reference(value: object) -> bool:
    """True if the value is exactly one secret reference (what a password field must be)."""
    return isinstance(value, str) and REF.fullmatch(value.strip()) is not None


def shown(value: object) -> str:
    """A setting as it may be shown: as written in the catalog (references unresolved), printable."""
    return printable(str(value))


def is_secret_field(field_name: str) -> bool:
    """Does this setting (a dotted field name, or a description like "the SCRAM password of …")
    hold a secret?"""
    return field_name.rsplit(".", 1)[-1] in SECRET_FIELDS or "password" in field_name.lower()


def mark_secret_references(values: object) -> None:
    """Every reference in these settings (the catalog's secret fields) is a secret wherever it is
    used: `${env:PROD_KAFKA_PASSWORD}` written in `bootstrap_servers` is redacted in fragments too."""
    for value in values if isinstance(values, list | tuple | set | frozenset) else (values,):
        if isinstance(value, str):
            _secret_references.update(m.group(0) for m in REF.finditer(value))


def resolve_refs(value: object, field_name: str) -> str:
    """Substitute every ${env:NAME} / ${file:PATH} in a setting; a missing one is named in the error.

    The error messages name the variable or file, never a value. Every resolved value is
    remembered for `redact`, in fragments too when the field holds a secret."""
    text = str(value)
    secret = is_secret_field(field_name)

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
        remember(resolved, match.group(0), secret=secret or match.group(0) in _secret_references)
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


def forget() -> None:
    """Drop every remembered value and secret reference. A kgov process is one command, so nothing
    calls this but tests, which run many commands in one process: one test's secret must not redact
    another's output."""
    _secret_references.clear()
    forget_remembered()
