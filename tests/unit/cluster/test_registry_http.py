"""The registry adapter against a scripted local HTTP server: requests sent, errors mapped, secrets kept."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kgov.catalog.model import Environment
from kgov.cluster.registry.adapter import connect_registry
from kgov.cluster.registry.port import NewSchema, RegistryError, SchemaReference
from kgov.errors import ClusterError, ConfigError

SECRET = "s3cr3t-pa55"


class Script:
    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], tuple[int, object]] = {}
        self.seen: list[tuple[str, str, dict[str, str], object]] = []
        self.lose: set[tuple[str, str]] = set()  # requests left unanswered the first time they come


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            script.seen.append((self.command, self.path, dict(self.headers), body))
            if (self.command, self.path) in script.lose:
                script.lose.discard((self.command, self.path))
                time.sleep(1.0)  # past the client's timeout: as if the request were lost
                self.close_connection = True
                return
            status, answer = script.answers.get((self.command, self.path), (404, {"error_code": 40401}))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api", script
    httpd.shutdown()
    httpd.server_close()


def env(url: str, **extra: object) -> Environment:
    return Environment(None, (), name="test", schema_registry={"url": url, **extra})  # type: ignore[arg-type]


def test_reads_with_basic_auth_and_counts_requests(
    server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, script = server
    monkeypatch.setenv("SR_PASSWORD", SECRET)
    version = {
        "subject": "a",
        "version": 2,
        "id": 7,
        "schema": '"string"',
        "references": [{"name": "x.B", "subject": "b", "version": 1}],
    }
    script.answers = {
        ("GET", "/api/subjects?offset=0&limit=1000"): (200, ["a", "b"]),
        ("GET", "/api/subjects/a/versions/latest"): (200, version),
        ("GET", "/api/config/a?defaultToGlobal=true"): (200, {"compatibilityLevel": "FULL"}),
        ("GET", "/api/config"): (200, {"compatibilityLevel": "BACKWARD"}),
    }
    registry = connect_registry(env(url, username="kgov", password="${env:SR_PASSWORD}"))
    assert registry.subjects() == ["a", "b"]
    latest = registry.latest(["a", "missing/one"])
    assert latest["missing/one"] is None
    assert latest["a"] is not None and latest["a"].references == (SchemaReference("x.B", "b", 1),)
    assert registry.levels(["a", "b"]) == {"a": "FULL", "b": "BACKWARD"}
    assert registry.requests == 6
    paths = [p for _, p, _, _ in script.seen]
    assert "/api/subjects/missing%2Fone/versions/latest" in paths
    assert all(h["Authorization"].startswith("Basic ") for _, _, h, _ in script.seen)


def test_register_sends_references_and_reads_the_version(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = {
        ("POST", "/api/subjects/a/versions"): (200, {"id": 3}),
        ("POST", "/api/subjects/a"): (200, {"subject": "a", "version": 4, "id": 3, "schema": "{}"}),
    }
    got = connect_registry(env(url)).register(
        NewSchema("a", "JSON", "{}", (SchemaReference("b.json", "b", 2),))
    )
    assert (got.version, got.id, got.schema_type) == (4, 3, "JSON")
    assert script.seen[0][3] == {
        "schema": "{}",
        "schemaType": "JSON",
        "references": [{"name": "b.json", "subject": "b", "version": 2}],
    }


def test_add_version_is_one_request_answering_the_id(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = {("POST", "/api/subjects/a/versions"): (200, {"id": 3})}
    registry = connect_registry(env(url))
    assert registry.add_version(NewSchema("a", "AVRO", '"string"')) == 3
    assert registry.requests == 1 and [(m, p) for m, p, _, _ in script.seen] == [
        ("POST", "/api/subjects/a/versions")
    ]


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"message": "no"}, "refused the credentials (401) to list subjects"),
        (403, {"message": "no"}, "does not allow kgov to list subjects (403)"),
        (500, {"message": "boom"}, "failed to list subjects: HTTP 500 boom"),
        (503, "not json", "failed to list subjects: HTTP 503"),
    ],
)
def test_refusals_are_clear_and_never_show_the_password(
    server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch, status: int, body: object, expected: str
) -> None:
    url, script = server
    monkeypatch.setenv("SR_PASSWORD", SECRET)
    script.answers = {("GET", "/api/subjects?offset=0&limit=1000"): (status, body)}
    # (user information in the URL is refused before connecting: see tests/unit/hostile/)
    registry = connect_registry(env(url, username="kgov", password="${env:SR_PASSWORD}"))
    with pytest.raises(ClusterError) as err:
        registry.subjects()
    assert expected in err.value.message
    assert SECRET not in err.value.message and SECRET not in repr(registry.__dict__.get("_settings"))


def test_incompatible_and_invalid_are_registry_errors(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = {
        ("POST", "/api/subjects/a/versions"): (409, {"error_code": 409, "message": "Incompatible"})
    }
    with pytest.raises(RegistryError) as err:
        connect_registry(env(url)).register(NewSchema("a", "AVRO", '"int"'))
    assert err.value.incompatible and err.value.status == 409
    script.answers = {("POST", "/api/subjects/a/versions"): (400, {"error_code": 42203, "message": "x"})}
    with pytest.raises(RegistryError) as err:
        connect_registry(env(url)).register(NewSchema("a", "AVRO", '"int"'))
    assert err.value.incompatible and "HTTP 400 (42203)" in err.value.message


def test_unreachable_registry() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ClusterError) as err:
        connect_registry(env(f"http://127.0.0.1:{port}/x"), timeout_s=2).subjects()
    assert f"the Schema Registry at http://127.0.0.1:{port}/x is unreachable" in err.value.message


def test_settings_errors() -> None:
    with pytest.raises(ConfigError) as err:
        connect_registry(Environment(None, (), name="e"))  # type: ignore[arg-type]
    assert "environments.e.schema_registry.url is not set" in err.value.message
    with pytest.raises(ConfigError) as err:
        connect_registry(env("ftp://x"))
    assert "must be an http:// or https:// URL" in err.value.message
    with pytest.raises(ConfigError) as err:
        connect_registry(env("http://x", username="u", password="${env:KGOV_TEST_UNSET_VAR}"))
    assert "KGOV_TEST_UNSET_VAR" in err.value.message


def test_subject_listing_is_paged(server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch) -> None:
    url, script = server
    monkeypatch.setattr("kgov.cluster.registry.adapter.PAGE", 2)
    script.answers = {
        ("GET", "/api/subjects?offset=0&limit=2"): (200, ["a", "b"]),
        ("GET", "/api/subjects?offset=2&limit=2"): (200, ["c", "d"]),
        ("GET", "/api/subjects?offset=4&limit=2"): (200, ["e"]),
    }
    registry = connect_registry(env(url))
    assert registry.subjects() == ["a", "b", "c", "d", "e"] and registry.requests == 3
    script.answers = {("GET", f"/api/subjects?offset={o}&limit=2"): (200, ["a", "b"]) for o in (0, 2)}
    assert connect_registry(env(url)).subjects() == ["a", "b"]  # paging ignored: stops at the repeat


def test_a_lost_request_is_asked_again_once_and_counted(server: tuple[str, Script]) -> None:
    url, script = server
    listing = ("GET", "/api/subjects?offset=0&limit=1000")
    script.answers[listing] = (200, ["a"])
    script.lose.add(listing)
    registry = connect_registry(env(url), timeout_s=2)  # the lost one times out; the answer comes at once
    assert registry.subjects() == ["a"]
    assert registry.requests == 2 and [(m, p) for m, p, _, _ in script.seen] == [listing, listing]


def test_a_lost_delete_is_not_sent_twice(server: tuple[str, Script]) -> None:
    url, script = server
    script.lose.add(("DELETE", "/api/subjects/a"))
    registry = connect_registry(env(url), timeout_s=2)  # the lost one times out; the answer comes at once
    with pytest.raises(ClusterError) as err:
        registry.delete_subject("a")
    assert "is unreachable" in err.value.message and registry.requests == 1
