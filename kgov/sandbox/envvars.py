"""The KGOV_* variables that point kgov, tests and scripts at a sandbox, and their shell form."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from kgov.sandbox.credentials import ADMIN_USER
from kgov.sandbox.nodes import bootstrap
from kgov.sandbox.paths import StatePaths
from kgov.sandbox.registry import ccompat_url
from kgov.sandbox.settings import HOST, Settings

ENV_NAMES = (
    "KGOV_BOOTSTRAP_PLAINTEXT",
    "KGOV_BOOTSTRAP_SASL",
    "KGOV_BOOTSTRAP_SSL",
    "KGOV_BOOTSTRAP_MTLS",
    "KGOV_USERNAME",
    "KGOV_PASSWORD",
    "KGOV_CA_FILE",
    "KGOV_CLIENT_CERT_FILE",
    "KGOV_CLIENT_KEY_FILE",
    "KGOV_SCHEMA_REGISTRY_URL",
    "KGOV_BOOTSTRAP_OAUTH",
    "KGOV_OAUTH_TOKEN_URL",
    "KGOV_OAUTH_CLIENT_ID",
    "KGOV_OAUTH_CLIENT_SECRET",
)


def sandbox_env(
    settings: Settings, *, password: str, paths: StatePaths, oauth_secret: str = ""
) -> dict[str, str]:
    """Bootstrap lists name every broker, so a client still connects while one of them is down. The
    OAUTH listener takes tokens from the sandbox's issuer for client id admin (User:admin) with the
    client secret."""
    return {
        "KGOV_BOOTSTRAP_PLAINTEXT": bootstrap(settings, "plaintext"),
        "KGOV_BOOTSTRAP_SASL": bootstrap(settings, "sasl"),
        "KGOV_BOOTSTRAP_SSL": bootstrap(settings, "ssl"),
        "KGOV_BOOTSTRAP_MTLS": bootstrap(settings, "mtls"),
        "KGOV_USERNAME": ADMIN_USER,
        "KGOV_PASSWORD": password,
        "KGOV_CA_FILE": str(paths.ca_file),
        "KGOV_CLIENT_CERT_FILE": str(paths.client_cert_file),
        "KGOV_CLIENT_KEY_FILE": str(paths.client_key_file),
        "KGOV_SCHEMA_REGISTRY_URL": ccompat_url(settings),
        "KGOV_BOOTSTRAP_OAUTH": bootstrap(settings, "oauth"),
        "KGOV_OAUTH_TOKEN_URL": f"http://{HOST}:{settings.ports.issuer}/token",
        "KGOV_OAUTH_CLIENT_ID": ADMIN_USER,
        "KGOV_OAUTH_CLIENT_SECRET": oauth_secret,
    }


def export_lines(env: Mapping[str, str]) -> str:
    """`export NAME=value` lines, values quoted for POSIX shells (for `eval "$(kgov sandbox env)"`)."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())
