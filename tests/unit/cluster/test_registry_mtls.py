"""The registry adapter's mTLS against a local HTTPS server that requires a client certificate
(Python's ssl, CERT_REQUIRED), with certificates from the sandbox's own CA code (kgov/sandbox/tls.py):
with the certificate the subjects are listed; without it, with a certificate of another CA, or with
a wrong key password, a clear kgov error that quotes no secret."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kgov import secrets
from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.registry.adapter import connect_registry
from kgov.errors import ClusterError, ConfigError
from kgov.sandbox.tls import ensure_tls, issue_client_cert

KEY_PASSWORD = "kgov-key-pa55-9c1e"
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path
    encrypted_key: Path
    other_cert: Path  # from another CA: the server must refuse it
    other_key: Path


def _ca(root: Path) -> Path:
    tls = root / "tls"
    ensure_tls(tls, root / "ca.pem", root / "keystore.p12", root / "keystore.password")
    return tls


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = tmp_path_factory.mktemp("pki")
    tls = _ca(root)
    issue_client_cert(tls, root / "ca.pem", "kgov", root / "client.pem", root / "client.key")
    subprocess.run(
        ["openssl", "pkey", "-in", "client.key", "-aes256", "-passout", f"pass:{KEY_PASSWORD}",
         "-out", "client-encrypted.key"],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip
    other = root / "other"
    other.mkdir()
    other_tls = _ca(other)
    issue_client_cert(other_tls, other / "ca.pem", "intruder", other / "client.pem", other / "client.key")
    return Pki(
        root / "ca.pem",
        root / "client.pem",
        root / "client.key",
        root / "client-encrypted.key",
        other / "client.pem",
        other / "client.key",
    )


@pytest.fixture(scope="module")
def registry(pki: Pki) -> Iterator[tuple[str, list[str]]]:
    """A registry that answers a subjects listing, over TLS that requires a client certificate of the CA."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
            seen.append(str(dict(x[0] for x in peer["subject"]).get("commonName")) if peer else "")
            data = json.dumps(["orders-value", "payments-value"] if self.path.startswith("/subjects") else {})
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data.encode())

        def log_message(self, *args: object) -> None:
            pass

    tls = pki.ca.parent / "tls"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls / "server.pem", tls / "server.key")
    context.load_verify_locations(cafile=pki.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://localhost:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    yield
    secrets.forget()


def _env(url: str, **block: object) -> Environment:
    return Environment(
        Source("kgov.yaml", YamlDoc({}, {})),
        (),
        name="prod",
        kafka={"bootstrap_servers": "b:1"},
        schema_registry={"url": url, **block},
    )


def test_with_the_client_certificate_the_subjects_are_listed(
    pki: Pki, registry: tuple[str, list[str]]
) -> None:
    url, seen = registry
    env = _env(
        url,
        ssl_ca_location=str(pki.ca),
        ssl_certificate_location=str(pki.cert),
        ssl_key_location=str(pki.key),
    )
    assert list(connect_registry(env, timeout_s=5).subjects()) == ["orders-value", "payments-value"]
    assert seen[-1] == "kgov"  # the server saw kgov's certificate


def test_an_encrypted_key_with_its_password_reference(
    pki: Pki, registry: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = registry
    monkeypatch.setenv("REGISTRY_KEY_PASSWORD", KEY_PASSWORD)
    env = _env(
        url,
        ssl_ca_location=str(pki.ca),
        ssl_certificate_location=str(pki.cert),
        ssl_key_location=str(pki.encrypted_key),
        ssl_key_password="${env:REGISTRY_KEY_PASSWORD}",
    )
    registry_client = connect_registry(env, timeout_s=5)
    assert KEY_PASSWORD not in repr(registry_client._settings)
    assert list(registry_client.subjects()) == ["orders-value", "payments-value"]
    assert seen[-1] == "kgov"


@pytest.mark.parametrize("password", [None, "wrong-password"])
def test_an_encrypted_key_without_its_password_is_a_config_error(
    pki: Pki, password: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    block: dict[str, object] = {
        "ssl_ca_location": str(pki.ca),
        "ssl_certificate_location": str(pki.cert),
        "ssl_key_location": str(pki.encrypted_key),
    }
    if password:
        monkeypatch.setenv("REGISTRY_KEY_PASSWORD", password)
        block["ssl_key_password"] = "${env:REGISTRY_KEY_PASSWORD}"
    with pytest.raises(ConfigError) as info:  # never a prompt on the terminal: an error at once
        connect_registry(_env("https://localhost:1", **block))
    assert "environments.prod.schema_registry" in info.value.message
    assert "wrong-password" not in info.value.message + (info.value.hint or "")


@pytest.mark.parametrize("which", ["none", "other CA"])
def test_without_an_accepted_certificate_the_registry_refuses_clearly(
    pki: Pki, registry: tuple[str, list[str]], which: str
) -> None:
    url, _ = registry
    block: dict[str, object] = {"ssl_ca_location": str(pki.ca)}
    if which == "other CA":
        block |= {"ssl_certificate_location": str(pki.other_cert), "ssl_key_location": str(pki.other_key)}
    with pytest.raises(ClusterError) as info:
        connect_registry(_env(url, **block), timeout_s=5).subjects()
    message = info.value.message + " " + (info.value.hint or "")
    assert "TLS" in message
    assert "client certificate" in message
    assert "ssl_certificate_location" in message


def test_mtls_settings_need_https_and_a_certificate(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="https://"):
        connect_registry(_env("http://localhost:1", ssl_certificate_location=str(pki.cert)))
    with pytest.raises(ConfigError, match=r"without .*ssl_certificate_location"):
        connect_registry(_env("https://localhost:1", ssl_key_location=str(pki.key)))
    with pytest.raises(ConfigError, match="does not exist or cannot be read"):
        connect_registry(_env("https://localhost:1", ssl_certificate_location=str(tmp_path / "nope.pem")))
