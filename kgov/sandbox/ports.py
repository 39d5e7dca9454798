"""Check that the ports a sandbox needs are free before anything is started."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable

from kgov.errors import SandboxError
from kgov.sandbox.settings import HOST, PORT_OPTIONS, Ports, PortUse, port_of


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when a server could listen on host:port now (binds and releases, like the JVM would)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def busy_ports(ports: Ports, names: Iterable[str], host: str = HOST) -> list[tuple[str, int]]:
    return [(name, port_of(ports, name)) for name in names if not port_is_free(port_of(ports, name), host)]


def check_ports_free(ports: Ports, names: Iterable[str], host: str = HOST) -> None:
    busy = busy_ports(ports, names, host)
    if not busy:
        return
    listed = ", ".join(f"{port} ({PORT_OPTIONS[name]})" for name, port in busy)
    plural = "s are" if len(busy) > 1 else " is"
    moves = " ".join(f"{PORT_OPTIONS[name]} {_elsewhere(port)}" for name, port in busy)
    raise SandboxError(
        f"port{plural} already in use on {host}: {listed}",
        hint=(
            "stop whatever listens there (another sandbox? `kgov sandbox status`), "
            f"or choose other ports, e.g. `kgov sandbox up {moves}`"
        ),
    )


def check_uses_free(uses: Iterable[PortUse], host: str = HOST) -> None:
    """Like check_ports_free, for the ports of several processes (a multi-broker sandbox)."""
    busy = [u for u in uses if not port_is_free(u.port, host)]
    if not busy:
        return
    listed = ", ".join(f"{u.port} ({u.process}, {u.option})" for u in busy)
    plural = "s are" if len(busy) > 1 else " is"
    moves = " ".join(dict.fromkeys(f"{PORT_OPTIONS[u.name]} {_elsewhere(u.port - u.offset)}" for u in busy))
    raise SandboxError(
        f"port{plural} already in use on {host}: {listed}",
        hint=(
            "stop whatever listens there (another sandbox? `kgov sandbox status`), "
            f"or choose other ports, e.g. `kgov sandbox up {moves}`"
        ),
    )


def _elsewhere(port: int) -> int:
    return port + 10000 if port < 55535 else port - 10000


def is_listening(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
