"""The sandbox's OAUTHBEARER side: the issuer's keys, the JWKS the brokers check tokens with, the
client secret, and the issuer process (kgov/sandbox/issuer.py).

The brokers validate tokens with Kafka's own OAuthBearerValidatorCallbackHandler against a JWKS
*file* (file:// URL, allowed by the JVM property Kafka 4 requires), written here once per state folder:
a broker never waits for the issuer to start. The issuer signs with the key the JWKS publishes, or on
request (a test's scope) with a second key it does not, or an expired token.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from kgov.errors import SandboxError
from kgov.sandbox import issuer, kafka
from kgov.sandbox.credentials import load_or_create_secret, write_private
from kgov.sandbox.paths import Component, StatePaths
from kgov.sandbox.process import marks
from kgov.sandbox.retry import describe
from kgov.sandbox.settings import HOST, Settings
from kgov.sandbox.tls import _openssl

ADMIN_CLIENT_ID = "admin"  # the token's sub: User:admin, a super user as with SCRAM
EXPIRED_SCOPE = issuer.EXPIRED_SCOPE
WRONG_KEY_SCOPE = issuer.WRONG_KEY_SCOPE
AUDIENCE = issuer.AUDIENCE


def issuer_url(settings: Settings) -> str:
    return f"http://{HOST}:{settings.ports.issuer}"


def token_url(settings: Settings) -> str:
    return issuer_url(settings) + "/token"


def jwks_url(paths: StatePaths) -> str:
    return paths.jwks_file.as_uri()


def ensure_oauth(paths: StatePaths) -> str:
    """The signing keys, the JWKS and the client secret, made once; returns the client secret."""
    folder = paths.oauth_dir
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name in ("signing.key", "wrong.key"):
        if not (folder / name).is_file():
            # fmt: off
            _openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                      "-pkeyopt", "rsa_keygen_pubexp:65537", "-out", name + ".tmp"], folder)
            # fmt: on
            (folder / (name + ".tmp")).chmod(0o600)
            (folder / (name + ".tmp")).replace(folder / name)
    if not paths.jwks_file.is_file():
        write_private(paths.jwks_file, json.dumps(_jwks(folder / "signing.key"), indent=2) + "\n")
        paths.jwks_file.chmod(0o644)  # public keys
    return load_or_create_secret(paths.oauth_secret_file)


def _jwks(key_file: Path) -> dict[str, object]:
    command = ["openssl", "rsa", "-in", str(key_file), "-noout", "-modulus"]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    modulus = proc.stdout.strip().partition("=")[2]
    if proc.returncode != 0 or not modulus:
        why = proc.stderr.strip()[-400:]
        raise SandboxError(f"openssl rsa -modulus failed (exit {proc.returncode}): {why}")
    n = bytes.fromhex(modulus)
    kid = hashlib.sha256(n).hexdigest()[:16]
    key = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": issuer.b64url(n), "e": "AQAB"}
    return {"keys": [key]}


def issuer_command(paths: StatePaths, settings: Settings) -> list[str]:
    script = Path(issuer.__file__).resolve()
    return [
        sys.executable,
        str(script),
        *marks(paths.root, Component.ISSUER.value),
        "--state-dir",
        str(paths.root),
        "--port",
        str(settings.ports.issuer),
    ]


def probe(settings: Settings, timeout: float = 3.0) -> str | None:
    """None when the issuer answers /health, else why not."""
    try:
        with urllib.request.urlopen(issuer_url(settings) + "/health", timeout=timeout) as answer:
            return None if answer.status == 200 else f"HTTP {answer.status}"
    except (OSError, urllib.error.URLError) as exc:
        return describe(exc)


def login_problem(settings: Settings, secret: str, timeout: float = 3.0) -> str | None:
    """None when the admin logs in on the OAUTH listener with a token from the issuer (librdkafka's
    OIDC, as kgov does), else why not."""
    from kgov.sandbox.nodes import bootstrap

    config: dict[str, str | int | float | bool] = {
        "bootstrap.servers": bootstrap(settings, "oauth"),
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "OAUTHBEARER",
        "sasl.oauthbearer.method": "oidc",
        "sasl.oauthbearer.client.id": ADMIN_CLIENT_ID,
        "sasl.oauthbearer.client.secret": secret,
        "sasl.oauthbearer.token.endpoint.url": token_url(settings),
        "log_level": 0,
    }
    try:
        kafka.describe_cluster(config, timeout)
    except Exception as exc:  # the listener or the issuer not serving yet
        return f"the admin's OAUTHBEARER login: {kafka.explain(exc)}"
    return None
