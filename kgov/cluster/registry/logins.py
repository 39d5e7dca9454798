"""How kgov logs in to a Schema Registry: basic (username/password), a given bearer token
(`bearer_token`), or a token fetched with OIDC client credentials (`oauth`, kgov/cluster/oauth.py);
one of them. Secret references are resolved here, for the registry client only
(kgov/cluster/registry/adapter.py)."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

from kgov.cluster.oauth import OAuthClient, oauth_client
from kgov.errors import ConfigError
from kgov.redact import remember
from kgov.secrets import resolve_refs


def registry_login(block: Mapping[str, object], where: str) -> tuple[str | None, OAuthClient | None]:
    """The Authorization header as configured (secret), or the OAuth client to fetch one with."""
    auth = None
    logins = [key for key in ("username", "bearer_token", "oauth") if key in block]
    if len(logins) > 1:
        raise ConfigError(
            f"{where} sets {' and '.join(logins)}: give one way to log in",
            hint="username/password (basic), bearer_token, or oauth (a token got with client credentials)",
        )
    oauth = None
    if "oauth" in block:
        oauth = oauth_client(_block(block["oauth"], f"{where}.oauth"), f"{where}.oauth")
    if "bearer_token" in block:
        token = resolve_refs(block["bearer_token"], f"{where}.bearer_token").strip()
        if not token or not _HEADER_SAFE.fullmatch(token):
            raise ConfigError(f"{where}.bearer_token: the token is empty or holds characters a header cannot")
        auth = f"Bearer {token}"
    if "username" in block:
        user = resolve_refs(block["username"], f"{where}.username")
        password = resolve_refs(block.get("password", ""), f"{where}.password")
        auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        remember(auth.removeprefix("Basic "), "(the registry's credentials)")  # should a library echo it
    return auth, oauth


_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


def _block(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a block of token_endpoint_url, client_id and client_secret")
    return value
