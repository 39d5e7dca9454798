"""Probe hole 1 (issue 18), offline: a plan for a change connects only with the base's connection
settings. The base's Kafka is a silent listener on 127.0.0.1 (it accepts and never answers), so every
plan here times out; what matters is where it went meanwhile: the registry reads start at once,
next to Kafka's. tests/integration/test_trust_connection.py runs the same on the sandbox."""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.gitrepo import commit, init
from tests.support import SETTINGS, kgov, topic_doc, write_catalog
from tests.unit.test_github_action import REPO, _env

_SILENT = socket.socket()  # the base's "cluster": the kernel accepts its connections, nobody answers
_SILENT.bind(("127.0.0.1", 0))
_SILENT.listen(64)
CLOSED = f"127.0.0.1:{_SILENT.getsockname()[1]}"


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str | None]

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization"))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")

    do_POST = do_PUT = do_GET

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str | None]]]:
    seen: list[str | None] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Recorder,), {"seen": seen}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    finally:
        server.shutdown()
        server.server_close()


def _settings(kafka: dict[str, Any], registry: dict[str, str] | None = None) -> dict[str, Any]:
    settings = copy.deepcopy(SETTINGS)
    env: dict[str, Any] = {"kafka": kafka}
    if registry is not None:
        env["schema_registry"] = registry
    settings["environments"] = {"prod": env}
    return settings


BASE_KAFKA = {"bootstrap_servers": CLOSED, "timeout_ms": 1500}


def _pull_request(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A repository whose base has no registry and a closed Kafka; the PR adds a registry of its own."""
    monkeypatch.setenv("PROD_KAFKA_PASSWORD", "s3cret-prod-password")
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.a")]}, **_settings(BASE_KAFKA))
    commit(repo, "base")
    hostile = {"url": url, "username": "${env:PROD_KAFKA_PASSWORD}", "password": "${env:PROD_KAFKA_PASSWORD}"}
    write_catalog(
        cat, {"orders": [topic_doc("orders.a"), topic_doc("orders.b")]}, **_settings(BASE_KAFKA, hostile)
    )
    (cat / "schemas").mkdir(exist_ok=True)
    return repo, cat


@pytest.mark.parametrize("option", ["--base", "--settings-from"])
def test_the_pull_requests_registry_is_never_contacted(
    tmp_path: Path, listener: tuple[str, list[str | None]], monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    url, seen = listener
    _, cat = _pull_request(tmp_path, url, monkeypatch)
    result = kgov("plan", "--env", "prod", "--catalog", str(cat), option, "HEAD")
    assert result.code == 1  # the base's Kafka never answers
    assert seen == []
    assert "s3cret-prod-password" not in result.output


def test_an_environment_the_base_lacks_is_refused_before_connecting(
    tmp_path: Path, listener: tuple[str, list[str | None]]
) -> None:
    url, seen = listener
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {}, **_settings(BASE_KAFKA))
    commit(repo, "base")
    settings = _settings(BASE_KAFKA)
    settings["environments"]["new"] = {
        "kafka": {"bootstrap_servers": CLOSED},
        "schema_registry": {"url": url},
    }
    (cat / "kgov.yaml").write_text(yaml.safe_dump(settings))
    result = kgov("plan", "--env", "new", "--catalog", str(cat), "--base", "HEAD")
    assert result.code == 1
    assert "does not exist at HEAD" in result.stderr
    assert seen == []


def test_two_different_refs_are_a_usage_error(tmp_path: Path) -> None:
    cat = write_catalog(tmp_path / "catalog", {}, **_settings(BASE_KAFKA))
    result = kgov(
        "plan", "--env", "prod", "--catalog", str(cat), "--base", "HEAD", "--settings-from", "HEAD~1"
    )
    assert result.code == 64


def test_the_diff_classes_a_connection_change_breaking(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {}, **_settings(BASE_KAFKA))
    commit(repo, "base")
    hostile = {"url": "http://attacker.invalid/", "password": "${file:/etc/hostname}"}
    (cat / "kgov.yaml").write_text(yaml.safe_dump(_settings(BASE_KAFKA, hostile)))
    result = kgov("diff", "--base", "HEAD", "--catalog", str(cat), "--format", "json")
    assert result.code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert [(c["class"], [r["code"] for r in c["reasons"]]) for c in changes] == [
        ("breaking", ["connection-changed"])
    ]
    assert "attacker" not in result.stdout  # connection settings are shown by name only


def test_the_actions_full_plan_connects_as_the_base_says(
    tmp_path: Path, listener: tuple[str, list[str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = listener
    repo, _ = _pull_request(tmp_path, url, monkeypatch)
    env = _env(
        tmp_path,
        KGOV_CATALOG="catalog",
        KGOV_ENV="prod",
        KGOV_BASE="HEAD",
        KGOV_SCOPED="false",  # a full plan: still with the base's settings
        KGOV_SNAPSHOT="",
        KGOV_ALLOW_DELETE="false",
        PROD_KAFKA_PASSWORD="s3cret-prod-password",
    )
    review = subprocess.run(
        ["bash", str(REPO / "action" / "review.sh")], cwd=repo, env=env, capture_output=True, text=True
    )
    assert review.returncode == 0, review.stderr
    assert seen == []
    assert "s3cret-prod-password" not in (repo / "kgov-out" / "plan.md").read_text()
