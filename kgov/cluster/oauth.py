"""OIDC client credentials (an environment's `oauth` block) and the one token request kgov makes itself.

Kafka's OAUTHBEARER login goes through librdkafka's own OIDC support (kgov/cluster/kafka/client_settings.py),
which fetches and refreshes its token; the Schema Registry's bearer login (kgov/cluster/registry/adapter.py)
fetches its token here: one client-credentials grant (RFC 6749 §4.4) with the client's id and secret
in HTTP Basic authentication (the form every major provider takes: Okta, Keycloak, Azure AD, Auth0).

The client secret and the token are secrets: resolved or received here, they go to the request and
the caller only. Every error names the setting and the endpoint as written, never a secret, a token
or the provider's answer (which may echo what was sent); both are remembered for redaction.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from kgov.errors import ClusterError, ConfigError
from kgov.redact import remember
from kgov.secrets import resolve_refs, shown

TIMEOUT_S = 15.0
MAX_ANSWER = 1024 * 1024  # a token answer is a few KiB; more is not one
# RFC 7628 §3.1: an extension's key is letters only; its value visible ASCII, spaces and tabs (librdkafka
# joins them as k=v,k=v, so no comma either).
_EXT_KEY = re.compile(r"^[A-Za-z]+$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_EXT_VALUE = re.compile(r"^[\x20-\x2b\x2d-\x7e\t]+$")


@dataclass(frozen=True)
class OAuthClient:
    """Resolved OIDC client credentials. client_secret is secret: never shown."""

    token_endpoint_url: str  # resolved (may come from a reference): for the client only
    shown_url: str  # as written: safe to show
    client_id: str
    client_secret: str
    scope: str | None
    extensions: tuple[tuple[str, str], ...]
    ca: str | None

    def __repr__(self) -> str:  # keep the secret out of any accidental repr
        return f"OAuthClient(token_endpoint_url={self.shown_url!r})"


def oauth_client(block: Mapping[str, object], where: str) -> OAuthClient:
    """The `oauth` block at `where` (e.g. environments.prod.kafka.oauth), its references resolved."""
    for key in ("token_endpoint_url", "client_id", "client_secret"):
        if not isinstance(block.get(key), str) or not str(block.get(key)).strip():
            raise ConfigError(f"{where}.{key} is not set", hint="see docs/logins.md for the oauth block")
    url = resolve_refs(block["token_endpoint_url"], f"{where}.token_endpoint_url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ConfigError(
            f"{where}.token_endpoint_url must be an http:// or https:// URL without user information",
            hint="the client id and secret go in client_id and client_secret",
        )
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ConfigError(
            f"{where}.token_endpoint_url is http:// to another machine: the client secret would travel "
            "unencrypted",
            hint="use the endpoint's https:// URL (http:// is for a token issuer on this machine only)",
        )
    extensions: list[tuple[str, str]] = []
    raw_ext = block.get("extensions") or {}
    if not isinstance(raw_ext, Mapping):
        raise ConfigError(f"{where}.extensions must be a map of names to values")
    for key, value in raw_ext.items():
        text = resolve_refs(value, f"{where}.extensions.{key}")
        if not _EXT_KEY.fullmatch(str(key)) or str(key) == "auth" or not _EXT_VALUE.fullmatch(text):
            raise ConfigError(
                f"{where}.extensions.{shown(key)}: an extension's name is letters only (not 'auth') and "
                "its value printable ASCII without a comma",
            )
        extensions.append((str(key), text))
    scope = resolve_refs(block["scope"], f"{where}.scope") if block.get("scope") else None
    ca = None
    if "ssl_ca_location" in block:
        ca = resolve_refs(block["ssl_ca_location"], f"{where}.ssl_ca_location")
    return OAuthClient(
        token_endpoint_url=url,
        shown_url=shown(block["token_endpoint_url"]),
        client_id=resolve_refs(block["client_id"], f"{where}.client_id"),
        client_secret=resolve_refs(block["client_secret"], f"{where}.client_secret"),
        scope=scope,
        extensions=tuple(extensions),
        ca=ca,
    )


def fetch_token(client: OAuthClient, where: str, timeout_s: float = TIMEOUT_S) -> str:
    """An access token from the client-credentials grant. A refusal, an unreachable endpoint or an
    answer without a token is a ClusterError naming `where` and the endpoint as written."""
    failed = f"{where}: no token from {client.shown_url}"
    parts = urlsplit(client.token_endpoint_url)
    form = {"grant_type": "client_credentials", **({"scope": client.scope} if client.scope else {})}
    basic = base64.b64encode(f"{_form(client.client_id)}:{_form(client.client_secret)}".encode()).decode()
    remember(basic, "(the OAuth client's credentials)")
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPConnection
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=client.ca)
            conn = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=timeout_s, context=context
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout_s)
        try:
            conn.request("POST", path, body=urlencode(form), headers=headers)
            answer = conn.getresponse()
            body = answer.read(MAX_ANSWER + 1)
        finally:
            conn.close()
    except ssl.SSLError as exc:
        raise ClusterError(
            f"{failed} (TLS: {exc.reason or 'handshake failed'})", hint=f"check {where}.ssl_ca_location"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise ClusterError(
            f"{failed} ({type(exc).__name__}: cannot reach the endpoint)",
            hint=f"check {where}.token_endpoint_url",
        ) from None
    if answer.status != 200:
        # The answer's error code (RFC 6749 §5.2: invalid_client, …) is a fixed word; its description
        # is not quoted, as a provider may echo the request in it.
        code = _error_code(body)
        raise ClusterError(
            f"{failed}: the endpoint refused the client (HTTP {answer.status}{f', {code}' if code else ''})",
            hint=f"check {where}.client_id, client_secret and scope",
        )
    token = _token(body)
    if token is None:
        raise ClusterError(f"{failed}: the answer holds no access_token", hint="is it a token endpoint?")
    remember(token, "(the OAuth token)")
    return token


def _form(value: str) -> str:
    # RFC 6749 §2.3.1: the id and secret are form-encoded before Basic authentication
    return urlencode({"": value})[1:]


def _error_code(body: bytes) -> str | None:
    try:
        code = json.loads(body[:MAX_ANSWER]).get("error")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) and re.fullmatch(r"[a-z_]{1,40}", code) else None


def _token(body: bytes) -> str | None:
    if len(body) > MAX_ANSWER:
        return None
    try:
        token = json.loads(body).get("access_token")
    except (ValueError, AttributeError):
        return None
    # a bearer token is b64token (RFC 6750 §2.1): nothing that could break a header
    return token if isinstance(token, str) and re.fullmatch(r"[A-Za-z0-9\-._~+/]+=*", token) else None
