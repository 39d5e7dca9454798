"""What a sandbox is made of: versions, ports, heaps. Saved in the state folder so every command agrees."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from kgov.errors import SandboxError

DEFAULT_KAFKA_VERSION = "4.3.1"
DEFAULT_REGISTRY_VERSION = "3.3.3"
HOST = "127.0.0.1"
# The SASL_SSL listener is advertised by name so TLS hostname verification matches the SAN DNS:localhost.
SSL_HOST = "localhost"

_HEAP = re.compile(r"^[1-9][0-9]*[mMgG]$")
_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+([.-][A-Za-z0-9.]+)?$")


@dataclass(frozen=True)
class Ports:
    plaintext: int = 9092
    controller: int = 9093
    sasl: int = 9094
    ssl: int = 9095
    mtls: int = 9096
    registry: int = 8081
    registry_management: int = 8082


# The `kgov sandbox up` option that changes each port, for error hints.
PORT_OPTIONS: dict[str, str] = {
    "plaintext": "--plaintext-port",
    "controller": "--controller-port",
    "sasl": "--sasl-port",
    "ssl": "--ssl-port",
    "mtls": "--mtls-port",
    "registry": "--registry-port",
    "registry_management": "--registry-management-port",
}

KAFKA_PORTS = ("plaintext", "controller", "sasl", "ssl", "mtls")
REGISTRY_PORTS = ("registry", "registry_management")


@dataclass(frozen=True)
class Settings:
    kafka_version: str = DEFAULT_KAFKA_VERSION
    registry_version: str = DEFAULT_REGISTRY_VERSION
    ports: Ports = Ports()
    kafka_heap: str = "512m"
    registry_heap: str = "256m"


@dataclass(frozen=True)
class Overrides:
    """Options given on the command line; None means "as saved, or the default"."""

    kafka_version: str | None = None
    registry_version: str | None = None
    kafka_heap: str | None = None
    registry_heap: str | None = None
    ports: dict[str, int] | None = None


def port_of(ports: Ports, name: str) -> int:
    value = getattr(ports, name)
    assert isinstance(value, int)
    return value


def apply_overrides(base: Settings, over: Overrides) -> Settings:
    ports = replace(base.ports, **(over.ports or {}))
    merged = Settings(
        kafka_version=over.kafka_version or base.kafka_version,
        registry_version=over.registry_version or base.registry_version,
        ports=ports,
        kafka_heap=over.kafka_heap or base.kafka_heap,
        registry_heap=over.registry_heap or base.registry_heap,
    )
    validate(merged)
    return merged


MIN_HEAP_MIB = 128


def heap_mib(value: str) -> int:
    """'512m' → 512, '1g' → 1024 (the value must match the -Xmx form checked by validate)."""
    number = int(value[:-1])
    return number * 1024 if value[-1] in "gG" else number


def validate(settings: Settings) -> None:
    for name in ("kafka_heap", "registry_heap"):
        value = getattr(settings, name)
        if not _HEAP.match(value):
            raise SandboxError(
                f"invalid heap size {value!r}", hint="give a JVM size such as 384m or 1g (for -Xmx)"
            )
        if heap_mib(value) < MIN_HEAP_MIB:
            raise SandboxError(
                f"heap size {value} is too small",
                hint=f"give at least {MIN_HEAP_MIB}m (384m or more is comfortable)",
            )
    for name in ("kafka_version", "registry_version"):
        value = getattr(settings, name)
        if not _VERSION.match(value):
            raise SandboxError(f"invalid version {value!r}", hint="give a Maven version such as 4.3.1")
    if not settings.kafka_version.startswith("4."):
        raise SandboxError(
            f"Kafka {settings.kafka_version} is not supported by the sandbox", hint="use a 4.x version"
        )
    seen: dict[int, str] = {}
    for f in fields(Ports):
        port = port_of(settings.ports, f.name)
        if not 1 <= port <= 65535:
            raise SandboxError(f"port {port} ({PORT_OPTIONS[f.name]}) is out of range 1-65535")
        if port in seen:
            raise SandboxError(
                f"port {port} is given twice: {PORT_OPTIONS[seen[port]]} and {PORT_OPTIONS[f.name]}",
                hint="every sandbox port must be different",
            )
        seen[port] = f.name


def to_json(settings: Settings) -> str:
    return json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n"


def from_json(text: str, source: Path) -> Settings:
    try:
        raw: Any = json.loads(text)
        ports = Ports(**raw.pop("ports"))
        settings = Settings(ports=ports, **raw)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SandboxError(
            f"cannot read the sandbox settings in {source}: {exc}",
            hint="remove the state folder with `kgov sandbox down --purge` and start again",
        ) from exc
    validate(settings)
    return settings
