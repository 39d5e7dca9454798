"""What a sandbox is made of: versions, ports, heaps. Saved in the state folder so every command agrees."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from kgov.errors import SandboxError
from kgov.sandbox.properties import Properties, checked

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
    oauth: int = 9097  # SASL_PLAINTEXT with OAUTHBEARER: tokens from the sandbox's issuer
    issuer: int = 8083  # the sandbox's OAuth token issuer (kgov/sandbox/issuer.py)


# The `kgov sandbox up` option that changes each port, for error hints.
PORT_OPTIONS: dict[str, str] = {
    "plaintext": "--plaintext-port",
    "controller": "--controller-port",
    "sasl": "--sasl-port",
    "ssl": "--ssl-port",
    "mtls": "--mtls-port",
    "registry": "--registry-port",
    "registry_management": "--registry-management-port",
    "oauth": "--oauth-port",
    "issuer": "--issuer-port",
}

KAFKA_PORTS = ("plaintext", "controller", "sasl", "ssl", "mtls", "oauth")
# `--port-base B` gives these B, B+1, ... in this order.
PORT_ORDER = (
    "plaintext",
    "controller",
    "sasl",
    "ssl",
    "mtls",
    "registry",
    "registry_management",
    "oauth",
    "issuer",
)


def ports_from_base(base: int) -> dict[str, int]:
    return {name: base + i for i, name in enumerate(PORT_ORDER)}


REGISTRY_PORTS = ("registry", "registry_management")


@dataclass(frozen=True)
class Settings:
    kafka_version: str = DEFAULT_KAFKA_VERSION
    registry_version: str = DEFAULT_REGISTRY_VERSION
    ports: Ports = Ports()
    kafka_heap: str = "512m"
    registry_heap: str = "256m"
    # The dedicated KRaft controller's (--brokers 2+): it holds only metadata, but every topic's and
    # partition's: at 80,000 topics on 5 brokers 256m was the sandbox's first limit.
    controller_heap: str = "256m"
    # 1: one combined broker + controller node. More: a KRaft controller plus that many brokers.
    brokers: int = 1
    # The brokers' JIT: "quick" (one tier: starts fast, for tests) or "full" (as production runs it).
    kafka_jit: str = "quick"
    # broker.rack: 0 sets none; N gives broker k the rack r{(k-1) % N} (replica placement across racks).
    racks: int = 0
    # Extra broker server properties (`--server-property KEY=VALUE`), by key: kgov/sandbox/properties.py.
    server_properties: Properties = ()


JIT_MODES = ("quick", "full")


MAX_BROKERS = 5


@dataclass(frozen=True)
class Overrides:
    """Options given on the command line; None means "as saved, or the default"."""

    kafka_version: str | None = None
    registry_version: str | None = None
    kafka_heap: str | None = None
    registry_heap: str | None = None
    controller_heap: str | None = None
    ports: dict[str, int] | None = None
    brokers: int | None = None
    kafka_jit: str | None = None
    racks: int | None = None
    server_properties: Properties | None = None  # given: replaces the saved ones (() clears them)


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
        controller_heap=over.controller_heap or base.controller_heap,
        brokers=over.brokers if over.brokers is not None else base.brokers,
        kafka_jit=over.kafka_jit or base.kafka_jit,
        racks=over.racks if over.racks is not None else base.racks,
        server_properties=(
            over.server_properties if over.server_properties is not None else base.server_properties
        ),
    )
    validate(merged)
    return merged


MIN_HEAP_MIB = 128


def heap_mib(value: str) -> int:
    """'512m' → 512, '1g' → 1024 (the value must match the -Xmx form checked by validate)."""
    number = int(value[:-1])
    return number * 1024 if value[-1] in "gG" else number


def validate(settings: Settings) -> None:
    if settings.kafka_jit not in JIT_MODES:
        raise SandboxError(f"invalid JIT mode {settings.kafka_jit!r}", hint="give quick or full")
    for name in ("kafka_heap", "registry_heap", "controller_heap"):
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
    if not 1 <= settings.brokers <= MAX_BROKERS:
        raise SandboxError(
            f"--brokers {settings.brokers} is out of range", hint=f"give 1 to {MAX_BROKERS} brokers"
        )
    if not 0 <= settings.racks <= settings.brokers:
        raise SandboxError(
            f"--racks {settings.racks} is out of range",
            hint=f"give 0 (no broker.rack) to the number of brokers ({settings.brokers})",
        )
    seen: dict[int, str] = {}
    for use in port_uses(settings):
        if not 1 <= use.port <= 65535:
            raise SandboxError(f"port {use.port} ({use.option}) is out of range 1-65535")
        if use.port in seen:
            raise SandboxError(
                f"port {use.port} is given twice: {seen[use.port]} and {use.option}",
                hint="every sandbox port must be different" + _STEP_NOTE * (settings.brokers > 1),
            )
        seen[use.port] = use.option


_STEP_NOTE = " (with several brokers, broker k listens on each port given + 10·(k-1))"

# With several brokers, broker k (1-based) listens on each listener port given + PORT_STEP·(k-1);
# the controller port and the registry ports are used once.
PORT_STEP = 10
BROKER_PORTS = ("plaintext", "sasl", "ssl", "mtls", "oauth")


def broker_port(ports: Ports, name: str, index: int) -> int:
    """The port of listener `name` on broker `index` (1-based)."""
    return port_of(ports, name) + PORT_STEP * (index - 1)


@dataclass(frozen=True)
class PortUse:
    process: str  # "kafka", "controller", "broker-2", "registry"
    name: str  # a field of Ports
    port: int

    @property
    def offset(self) -> int:
        """How far this port is from the one given on the command line (broker k: PORT_STEP·(k-1))."""
        if self.process.startswith("broker-") and self.process[7:].isdigit():
            return PORT_STEP * (int(self.process[7:]) - 1)
        return 0

    @property
    def option(self) -> str:
        """The option that moves it, e.g. "--sasl-port" or "--sasl-port (+10 for broker-2)"."""
        base = PORT_OPTIONS[self.name]
        return f"{base} (+{self.offset} for {self.process})" if self.offset else base


def kafka_process_names(settings: Settings) -> tuple[str, ...]:
    if settings.brokers == 1:
        return ("kafka",)
    return ("controller", *(f"broker-{k}" for k in range(1, settings.brokers + 1)))


def port_uses(settings: Settings) -> list[PortUse]:
    """Every port the sandbox listens on, by process (the order processes are listed in)."""
    ports = settings.ports
    uses: list[PortUse] = []
    if settings.brokers == 1:
        uses += [PortUse("kafka", n, port_of(ports, n)) for n in KAFKA_PORTS]
    else:
        uses.append(PortUse("controller", "controller", ports.controller))
        for k in range(1, settings.brokers + 1):
            uses += [PortUse(f"broker-{k}", n, broker_port(ports, n, k)) for n in BROKER_PORTS]
    uses += [PortUse("registry", n, port_of(ports, n)) for n in REGISTRY_PORTS]
    uses.append(PortUse("issuer", "issuer", ports.issuer))
    return uses


def to_json(settings: Settings) -> str:
    doc = asdict(settings)
    doc["server_properties"] = dict(settings.server_properties)  # an object: readable in the file
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _with_oauth_ports(saved: dict[str, int]) -> dict[str, int]:
    """Settings saved before the OAuth listener and issuer existed: a sandbox laid out by --port-base
    gets them from the same base (not the defaults, which another sandbox may use)."""
    if "oauth" in saved or "issuer" in saved:
        return saved
    base = saved.get("plaintext")
    if isinstance(base, int) and ports_from_base(base) == {**saved, **ports_from_base(base)}:
        return {**saved, **ports_from_base(base)}
    return saved


def from_json(text: str, source: Path) -> Settings:
    try:
        raw: Any = json.loads(text)
        ports = Ports(**_with_oauth_ports(raw.pop("ports")))
        props = checked(dict(raw.pop("server_properties", None) or {}).items())  # older files: none
        settings = Settings(ports=ports, server_properties=props, **raw)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SandboxError(
            f"cannot read the sandbox settings in {source}: {exc}",
            hint="remove the state folder with `kgov sandbox down --purge` and start again",
        ) from exc
    validate(settings)
    return settings
