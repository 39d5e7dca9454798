"""The sandbox's OAuth token issuer: a small HTTP server for the client-credentials grant, issuing RS256
JWTs that the brokers' OAUTHBEARER listener checks against the JWKS `kgov sandbox up` wrote.

Run as a script by the sandbox (`python3 issuer.py --state-dir DIR --port N`), it imports nothing of
kgov (the Python that runs it may not have this kgov on its path) and nothing outside the standard
library: the signature is made by the openssl command, which the sandbox needs for its TLS anyway.

- POST /token: grant_type=client_credentials, the client's id and secret in HTTP Basic authentication
  (as librdkafka sends them) or in the form. Any client id is accepted with the sandbox's client
  secret (oauth/client.secret); the token's `sub` is the client id, so the principal is
  User:<client id> (`admin` is a super user). Two scopes ask for a bad token on purpose, for tests:
  `kgov-sandbox:expired` (expired an hour ago) and `kgov-sandbox:wrong-key` (signed with a key the
  JWKS does not hold). A wrong secret is refused: 401 invalid_client.
- GET /jwks: the published keys (the brokers read the same JWKS from the file).
- GET /health: 200.
The log line of a request names the path and the answer's status, never a secret or a token.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hmac
import json
import secrets
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus

HOST = "127.0.0.1"
AUDIENCE = "kgov-sandbox"
LIFETIME_S = 3600
EXPIRED_SCOPE = "kgov-sandbox:expired"
WRONG_KEY_SCOPE = "kgov-sandbox:wrong-key"
MAX_BODY = 64 * 1024


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def sign(key_file: Path, data: bytes) -> bytes:
    """RSASSA-PKCS1-v1_5 with SHA-256 (JWS RS256) by the openssl command."""
    proc = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", str(key_file)], input=data, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"openssl dgst failed (exit {proc.returncode})")
    return proc.stdout


def make_token(oauth_dir: Path, issuer: str, subject: str, scope: str, now: float) -> str:
    kid = json.loads((oauth_dir / "jwks.json").read_text("utf-8"))["keys"][0]["kid"]
    key = oauth_dir / ("wrong.key" if WRONG_KEY_SCOPE in scope.split() else "signing.key")
    issued = int(now) - (2 * LIFETIME_S if EXPIRED_SCOPE in scope.split() else 0)
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + LIFETIME_S,
        "jti": secrets.token_hex(8),
        **({"scope": scope} if scope else {}),
    }
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(sign(key, signing_input.encode('ascii')))}"


class Handler(BaseHTTPRequestHandler):
    oauth_dir: Path
    issuer: str
    server_version = "kgov-sandbox-issuer"

    def _send(self, status: int, doc: object) -> None:
        raw = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        if self.path == "/jwks":
            self._send(200, json.loads((self.oauth_dir / "jwks.json").read_text("utf-8")))
        elif self.path == "/health":
            self._send(200, {"status": "UP"})
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/token":
            self._send(404, {"error": "not_found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, {"error": "invalid_request"})
            return
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        client_id, secret = self._client(form)
        expected = (self.oauth_dir / "client.secret").read_text("utf-8").strip()
        if form.get("grant_type") != "client_credentials":
            self._send(400, {"error": "unsupported_grant_type"})
        elif not client_id or not hmac.compare_digest(secret.encode(), expected.encode()):
            self._send(401, {"error": "invalid_client"})
        else:
            scope = form.get("scope", "")
            token = make_token(self.oauth_dir, self.issuer, client_id, scope, time.time())
            self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": LIFETIME_S})

    def _client(self, form: dict[str, str]) -> tuple[str, str]:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                pair = base64.b64decode(auth[6:], validate=True).decode("utf-8")
            except ValueError:
                return "", ""
            user, _, password = pair.partition(":")
            return unquote_plus(user), unquote_plus(password)
        return form.get("client_id", ""), form.get("client_secret", "")

    def log_message(self, format: str, *args: object) -> None:
        # the request line holds no secret (they travel in headers and bodies); keep the default form
        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args, _marks = parser.parse_known_args(argv)  # the sandbox's process marks (-Dkgov.sandbox.*)
    handler = type(
        "SandboxIssuer",
        (Handler,),
        {"oauth_dir": args.state_dir / "oauth", "issuer": f"http://{HOST}:{args.port}"},
    )
    server = ThreadingHTTPServer((HOST, args.port), handler)
    sys.stderr.write(f"kgov sandbox token issuer on http://{HOST}:{args.port}\n")
    sys.stderr.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
