"""Probe hole 1 (issue 18): a pull request's kgov.yaml must not choose where CI's secrets go.

The pull request points the environment's schema registry and Kafka at listeners on 127.0.0.1 that
record what reaches them, with references to the admin's password in every field. A plan for the
change (`--base`, `--settings-from`, what the action's review runs) connects with the base's
settings: the listeners see nothing, and the plan says the connection change was not used.
"""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.gitrepo import commit, init
from tests.support import SETTINGS, topic_doc

from .kgovtest import kgov, unique_service, write_catalog


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox (the base's settings point at it)."""


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]]

    def _answer(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def http_listener() -> Iterator[tuple[str, list[tuple[str, str | None]]]]:
    seen: list[tuple[str, str | None]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def tcp_listener() -> Iterator[tuple[str, list[bytes]]]:
    """A 'broker' that records the bytes a client sends (a SASL PLAIN password would be in them)."""
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    received.append(conn.recv(65536))
                except OSError:
                    received.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(5)
        server.close()


def _settings(registry: dict[str, str], kafka: dict[str, Any] | None = None) -> dict[str, Any]:
    settings = copy.deepcopy(SETTINGS)
    local = settings["environments"]["local"]
    local["schema_registry"] = registry
    if kafka is not None:
        local["kafka"] = kafka
    return settings


def _hostile_pull_request(tmp_path: Path, registry_url: str, broker: str) -> tuple[Path, str]:
    svc = unique_service()
    repo = init(tmp_path / "repo")
    trusted = {"url": "${env:KGOV_SCHEMA_REGISTRY_URL}"}
    cat = write_catalog(repo / "catalog", {svc: [topic_doc(f"{svc}.a")]}, **_settings(trusted))
    commit(repo, "base")
    hostile_registry = {
        "url": registry_url,
        "username": "${env:KGOV_PASSWORD}",
        "password": "${env:KGOV_PASSWORD}",
    }
    hostile_kafka = {
        "bootstrap_servers": broker,
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",  # PLAIN sends the password as it is
        "username": "${env:KGOV_PASSWORD}",
        "password": "${env:KGOV_PASSWORD}",
        "timeout_ms": 2000,
    }
    write_catalog(
        cat,
        {svc: [topic_doc(f"{svc}.a"), topic_doc(f"{svc}.b")]},
        **_settings(hostile_registry, hostile_kafka),
    )
    return cat, svc


@pytest.mark.parametrize("option", ["--base", "--settings-from"])
def test_a_plan_for_a_change_connects_only_as_the_base_says(
    tmp_path: Path,
    http_listener: tuple[str, list[tuple[str, str | None]]],
    tcp_listener: tuple[str, list[bytes]],
    sandbox: dict[str, str],
    option: str,
) -> None:
    url, requests = http_listener
    broker, received = tcp_listener
    cat, svc = _hostile_pull_request(tmp_path, url, broker)
    out = tmp_path / "plan.json"
    result = kgov("plan", "--env", "local", "--catalog", str(cat), option, "HEAD", "--out", str(out))
    assert result.code == 0, result.output
    assert requests == []  # the pull request's registry was never asked anything, with no credentials
    assert received == []  # nor its broker
    assert sandbox["KGOV_PASSWORD"] not in result.output
    plan = json.loads(out.read_text())
    assert f"{svc}.b" in [e["name"] for e in plan["resource_changes"] if e["action"] == "create"]
    assert any("kafka and schema_registry connection" in w for w in plan["warnings"]), plan["warnings"]


def test_a_plain_plan_of_the_merged_catalog_uses_its_own_settings(
    tmp_path: Path, http_listener: tuple[str, list[tuple[str, str | None]]]
) -> None:
    """The post-merge path trusts the working tree (documented): the same catalog without --base
    goes to the registry it names. This is what the review must never run on a pull request."""
    url, requests = http_listener
    svc = unique_service()
    registry = {"url": url, "username": "someone", "password": "${env:KGOV_PASSWORD}"}
    cat = write_catalog(tmp_path / "catalog", {svc: [topic_doc(f"{svc}.a")]}, **_settings(registry))
    (cat / "schemas").mkdir()
    result = kgov("plan", "--env", "local", "--catalog", str(cat))
    assert result.code == 0, result.output
    assert requests and all(auth is not None for _, auth in requests)


def test_the_diff_classes_a_connection_change_breaking(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {}, **_settings({"url": "${env:KGOV_SCHEMA_REGISTRY_URL}"}))
    commit(repo, "base")
    (cat / "kgov.yaml").write_text(
        yaml.safe_dump(_settings({"url": "http://127.0.0.1:9/", "password": "${file:/etc/hostname}"}))
    )
    result = kgov("diff", "--base", "HEAD", "--catalog", str(cat), "--format", "json")
    assert result.code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert [c["class"] for c in changes] == ["breaking"]
    assert "127.0.0.1:9" not in result.stdout  # shown by name only
