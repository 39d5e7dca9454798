"""Secrets in settings: which fields hold them, and their `${env:NAME}` / `${file:PATH}` references.

A reference is resolved only when a connection is made (Kafka now, SCRAM apply later), and what it
resolves to goes to the client and nowhere else. Anything shown to a person uses the reference as
written (`shown`); and since a library may still quote a resolved value back (librdkafka names the
broker it could not resolve), every user-facing error is passed through `redact` (kgov.errors does,
and so does every path that shows a foreign exception's text: kgov/exits.py, kgov/apply.py, the
policy engine).

A library quotes parts, not only wholes: librdkafka splits `bootstrap.servers` on `,` and names
`Tail:9092`; a URL's host comes back lower-cased or percent-encoded. So a value resolved for a
secret field (a password) is redacted whole and in every fragment of 3 or more characters between
`,` `:` `/` `@` `;` and blanks, in any letter case, raw, percent-encoded and percent-decoded. A value
resolved for a field that is not secret (bootstrap servers, a URL, a user name, a file path) is
redacted whole in the same forms, but not in fragments: its parts (a host, a port) name things a
message must be able to show. The same value used in both is a secret.
This module imports nothing from plan, cluster or commands: they all depend on it, not it on them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, unquote

from kgov.errors import ConfigError
from kgov.readfile import Unreadable, read_regular
from kgov.sanitize import printable

# Fields that hold a secret, in every block that has them (kafka, schema_registry, SCRAM
# authentication): written as references, never quoted in a message, never printed resolved.
SECRET_FIELDS = frozenset({"password", "ssl_key_password"})

REF = re.compile(r"\$\{(env|file):([^}]*)\}")

# A ${file:} target is a password or a short token: anything bigger is a mistake (or /dev/zero).
MAX_SECRET_FILE_BYTES = 64 * 1024
# Resolved values shorter than this are not searched for in messages (a "1" would garble them all);
# nor are a secret's fragments shorter than _MIN_FRAGMENT.
_MIN_REDACTED = 3
_MIN_FRAGMENT = 3
# Where a library may cut a value it quotes back: lists, host:port, URLs, user@host.
_CUTS = re.compile(r"[,:/@;\s]+")

# form of a value resolved in this process (case-folded) -> the reference it came from, for `redact`
_resolved: dict[str, str] = {}
_pattern: re.Pattern[str] | None = None  # every form in _resolved, longest first; None: to rebuild
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


def remember(value: str, shown_as: str, *, secret: bool = True) -> None:
    """Redact `value` from every message from now on, showing `shown_as` instead (see the module
    docstring for the forms searched: a secret's fragments too)."""
    global _pattern
    wholes = {part.strip() for part in (value, *value.splitlines())}
    forms = {w for w in wholes if len(w) >= _MIN_REDACTED}
    if secret:
        forms |= {f for w in wholes for f in _CUTS.split(w) if len(f) >= _MIN_FRAGMENT}
    forms |= {quote(f, safe="") for f in forms} | {unquote(f) for f in forms}
    for form in forms:
        if len(form) >= _MIN_REDACTED and form.casefold() not in _resolved:
            _resolved[form.casefold()] = shown_as
            _pattern = None


def redact(text: str) -> str:
    """`text` with every value resolved from a reference in this process (in any of the forms that
    `remember` lists) replaced by the reference."""
    global _pattern
    if not _resolved or not text:
        return text
    if _pattern is None:
        forms = sorted(_resolved, key=len, reverse=True)  # the longest first: a whole before its parts
        _pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)
    return _pattern.sub(lambda m: _resolved.get(m.group(0).casefold(), "[redacted]"), text)


def forget() -> None:
    """Drop every remembered value. A kgov process is one command, so nothing calls this but tests,
    which run many commands in one process: one test's secret must not redact another's output."""
    global _pattern
    _resolved.clear()
    _secret_references.clear()
    _pattern = None
