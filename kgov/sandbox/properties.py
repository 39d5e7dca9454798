"""Extra broker server properties: `kgov sandbox up --server-property KEY=VALUE` (repeatable).

For tests that need a broker configured otherwise than the sandbox's default, e.g. a cluster where
clients may create topics (`auto.create.topics.enable=true`) or where a resource without ACLs is open
(`allow.everyone.if.no.acl.found=true`): both are static in Kafka, so they can only be set at start.
The keys the sandbox itself owns (its listeners and ports, its authentication, the authorizer, node
identity, storage) are refused: changing them would break the sandbox's own connections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kgov.errors import SandboxError
from kgov.sandbox.credentials import ADMIN_USER

Properties = tuple[tuple[str, str], ...]  # (key, value) pairs, sorted by key, keys unique

# What the sandbox writes and depends on; each refused key names the option that changes it, if any.
_OWNED: dict[str, str] = {
    "process.roles": "--brokers",
    "node.id": "--brokers",
    "broker.id": "--brokers",
    "broker.rack": "--racks",
    "listeners": "the port options (--port-base)",
    "advertised.listeners": "the port options (--port-base)",
    "listener.security.protocol.map": "",
    "inter.broker.listener.name": "",
    "security.inter.broker.protocol": "",
    "sasl.enabled.mechanisms": "",
    "sasl.mechanism.inter.broker.protocol": "",
    "sasl.mechanism.controller.protocol": "",
    "authorizer.class.name": "",
    "principal.builder.class": "",
    "log.dirs": "--state-dir",
    "log.dir": "--state-dir",
    "metadata.log.dir": "--state-dir",
}
_OWNED_PREFIXES = ("controller.", "listener.name.")
# super.users must keep the principals the sandbox needs: the brokers' and controller's own
# (User:ANONYMOUS on the PLAINTEXT listeners) and the admin kgov logs in as.
_NEEDED_SUPER_USERS = ("User:ANONYMOUS", f"User:{ADMIN_USER}")

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_VALUE = re.compile(r"^[\x20-\x7e]{0,4096}$")  # printable ASCII: .properties files are read as Latin-1


def owner_of(key: str) -> str | None:
    """Why the sandbox owns `key` (the option that changes it, or ""), None when a test may set it."""
    if key in _OWNED:
        return _OWNED[key]
    return "" if key.startswith(_OWNED_PREFIXES) else None


def parse(assignments: Sequence[str]) -> Properties:
    """`KEY=VALUE` strings (the command line) as checked pairs; a key given twice is refused."""
    pairs: list[tuple[str, str]] = []
    for text in assignments:
        key, eq, value = text.partition("=")
        if not eq:
            raise SandboxError(
                f"--server-property {text!r} has no '='",
                hint="give KEY=VALUE, e.g. --server-property auto.create.topics.enable=true",
            )
        pairs.append((key.strip(), value.strip()))
    return checked(pairs)


def checked(pairs: Iterable[tuple[str, str]]) -> Properties:
    """The pairs sorted by key, each checked: a usable key the sandbox does not own, a printable value."""
    seen: dict[str, str] = {}
    for key, value in pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            raise SandboxError(f"a server property must be text: {key!r}={value!r}")
        if not _KEY.match(key):
            raise SandboxError(
                f"invalid server property name {key!r}",
                hint="give a Kafka config name such as auto.create.topics.enable "
                "(letters, digits, '.', '_', '-')",
            )
        owner = owner_of(key)
        if owner is not None:
            raise SandboxError(
                f"the sandbox sets {key} itself: it cannot be a --server-property",
                hint=f"use {owner} instead"
                if owner
                else "the sandbox's listeners, authentication, "
                "authorizer and storage are fixed so that kgov and the tests can connect",
            )
        if not _VALUE.match(value):
            raise SandboxError(
                f"the value of server property {key} must be printable ASCII without line breaks "
                "(at most 4,096 characters)"
            )
        if key == "super.users":
            given = {p.strip() for p in value.split(";")}
            missing = [p for p in _NEEDED_SUPER_USERS if p not in given]
            if missing:
                raise SandboxError(
                    f"super.users must keep {' and '.join(missing)}",
                    hint="the sandbox's brokers (User:ANONYMOUS on PLAINTEXT) and its admin need to be "
                    f"super users: give e.g. super.users={';'.join(_NEEDED_SUPER_USERS)};User:other",
                )
        if key in seen:
            raise SandboxError(f"server property {key} is given twice", hint="give each key once")
        seen[key] = value
    return tuple(sorted(seen.items()))


def _escape(value: str) -> str:
    """A .properties value: backslashes are escapes there, and leading blanks would be dropped."""
    escaped = value.replace("\\", "\\\\")
    return "\\" + escaped if escaped.startswith(" ") else escaped


def with_properties(text: str, props: Properties) -> str:
    """A rendered node config with `props` in place of the template's lines for the same keys."""
    if not props:
        return text
    keys = {key for key, _ in props}
    kept = [
        line
        for line in text.splitlines()
        if line.lstrip().startswith(("#", "!")) or line.partition("=")[0].strip() not in keys
    ]
    added = ["", "# kgov sandbox up --server-property (remembered in the state folder)"]
    added += [f"{key}={_escape(value)}" for key, value in props]
    return "\n".join(kept + added) + "\n"


def shown(props: Properties) -> str:
    """For the summary of `up`: values of keys that look secret are left out."""
    secret = ("password", "secret", "jaas")
    return ", ".join(f"{k}=(hidden)" if any(w in k.lower() for w in secret) else f"{k}={v}" for k, v in props)
