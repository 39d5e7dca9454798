"""The sandbox's token issuer (kgov/sandbox/issuer.py) and its keys (kgov/sandbox/oauth.py), without
Kafka: the JWKS verifies the tokens it should and not the wrongly-signed one; claims; refusals."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kgov.sandbox import issuer
from kgov.sandbox.envvars import sandbox_env
from kgov.sandbox.kafka import broker_command
from kgov.sandbox.oauth import EXPIRED_SCOPE, WRONG_KEY_SCOPE, ensure_oauth, issuer_command
from kgov.sandbox.paths import StatePaths
from kgov.sandbox.settings import Overrides, Settings, apply_overrides, from_json, ports_from_base


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> StatePaths:
    paths = StatePaths.at(tmp_path_factory.mktemp("sb"))
    ensure_oauth(paths)
    return paths


@pytest.fixture(scope="module")
def token_url(paths: StatePaths) -> Iterator[str]:
    handler = type("H", (issuer.Handler,), {"oauth_dir": paths.oauth_dir, "issuer": "http://issuer.test"})
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/token"
    server.shutdown()
    server.server_close()


def _token(url: str, secret: str, scope: str = "", client: str = "svc") -> tuple[int, dict[str, Any]]:
    basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
    body = "grant_type=client_credentials" + (f"&scope={scope}" if scope else "")
    request = urllib.request.Request(url, body.encode(), {"Authorization": f"Basic {basic}"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _verifies(paths: StatePaths, token: str, tmp_path: Path) -> bool:
    """Does the JWKS's public key verify the token's RS256 signature? (openssl, from n and e)"""
    head, claims, signature = token.split(".")
    jwk = json.loads(paths.jwks_file.read_text())["keys"][0]
    assert jwk["kid"] == json.loads(_unb64(head))["kid"] and jwk["alg"] == "RS256"
    public = tmp_path / "public.pem"
    public.write_bytes(
        subprocess.run(
            ["openssl", "rsa", "-in", str(paths.oauth_dir / "signing.key"), "-pubout"],
            capture_output=True,
            check=True,
        ).stdout
    )
    modulus = subprocess.run(
        ["openssl", "rsa", "-pubin", "-in", str(public), "-noout", "-modulus"], capture_output=True, text=True
    ).stdout.strip()
    assert bytes.fromhex(modulus.partition("=")[2]) == _unb64(jwk["n"])  # the JWKS publishes this key
    (tmp_path / "sig").write_bytes(_unb64(signature))
    verify = subprocess.run(
        ["openssl", "dgst", "-sha256", "-verify", str(public), "-signature", str(tmp_path / "sig")],
        input=f"{head}.{claims}".encode(),
        capture_output=True,
    )
    return verify.returncode == 0


def test_a_token_for_the_client_secret_is_signed_by_the_published_key(
    paths: StatePaths, token_url: str, tmp_path: Path
) -> None:
    status, answer = _token(token_url, paths.oauth_secret_file.read_text().strip(), "kafka")
    assert status == 200 and answer["token_type"] == "Bearer"
    token = answer["access_token"]
    claims = json.loads(_unb64(token.split(".")[1]))
    assert (
        claims["sub"] == "svc" and claims["aud"] == issuer.AUDIENCE and claims["iss"] == "http://issuer.test"
    )
    assert claims["exp"] > time.time() > claims["iat"] - 5
    assert _verifies(paths, token, tmp_path)


def test_bad_tokens_on_request(paths: StatePaths, token_url: str, tmp_path: Path) -> None:
    secret = paths.oauth_secret_file.read_text().strip()
    _, expired = _token(token_url, secret, EXPIRED_SCOPE)
    assert json.loads(_unb64(expired["access_token"].split(".")[1]))["exp"] < time.time()
    _, wrong = _token(token_url, secret, WRONG_KEY_SCOPE)
    assert not _verifies(paths, wrong["access_token"], tmp_path)


def test_a_wrong_secret_is_refused(paths: StatePaths, token_url: str) -> None:
    assert _token(token_url, "not-the-secret") == (401, {"error": "invalid_client"})


def test_keys_and_secret_are_made_once_and_kept_private(paths: StatePaths) -> None:
    before = paths.jwks_file.read_text(), paths.oauth_secret_file.read_text()
    ensure_oauth(paths)
    assert (paths.jwks_file.read_text(), paths.oauth_secret_file.read_text()) == before
    for name in ("signing.key", "wrong.key", "client.secret"):
        assert (paths.oauth_dir / name).stat().st_mode & 0o077 == 0


def test_commands_env_and_ports(paths: StatePaths) -> None:
    settings = apply_overrides(Settings(), Overrides(ports=ports_from_base(26000)))
    assert (settings.ports.oauth, settings.ports.issuer) == (26007, 26008)
    command = issuer_command(paths, settings)
    assert command[-2:] == ["--port", "26008"] and command[1].endswith("issuer.py")
    kafka = broker_command(Path("java"), Path("lib"), paths, settings)
    assert f"-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls={paths.jwks_file.as_uri()}" in kafka
    env = sandbox_env(settings, password="pw", paths=paths, oauth_secret="s")
    assert env["KGOV_BOOTSTRAP_OAUTH"] == "127.0.0.1:26007"
    assert env["KGOV_OAUTH_TOKEN_URL"] == "http://127.0.0.1:26008/token"


def test_settings_saved_before_the_oauth_ports_keep_their_port_base(tmp_path: Path) -> None:
    old = {
        "kafka_version": "4.3.1",
        "registry_version": "3.3.3",
        "ports": {k: v for k, v in ports_from_base(26000).items() if k not in ("oauth", "issuer")},
    }
    settings = from_json(json.dumps(old), tmp_path / "sandbox.json")
    assert (settings.ports.oauth, settings.ports.issuer) == (26007, 26008)
