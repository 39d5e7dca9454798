"""The port-conflict check that runs before anything starts."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from kgov.errors import SandboxError
from kgov.sandbox.ports import busy_ports, check_ports_free, is_listening, port_is_free
from kgov.sandbox.settings import Ports


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_listening_port_is_busy(listening_port: int) -> None:
    assert not port_is_free(listening_port)
    assert is_listening(listening_port)


def test_an_unused_port_is_free() -> None:
    port = _free_port()
    assert port_is_free(port)
    assert not is_listening(port)


def test_conflict_names_the_port_and_the_option(listening_port: int) -> None:
    ports = Ports(sasl=listening_port, registry=_free_port())
    assert busy_ports(ports, ["sasl", "registry"]) == [("sasl", listening_port)]
    with pytest.raises(SandboxError) as caught:
        check_ports_free(ports, ["sasl", "registry"])
    assert f"{listening_port} (--sasl-port)" in caught.value.message
    assert caught.value.hint is not None and "--sasl-port" in caught.value.hint


def test_no_conflict_passes() -> None:
    check_ports_free(Ports(registry=_free_port()), ["registry"])
