"""The Schema Registry's mTLS: the client certificate kgov presents (`schema_registry`'s
`ssl_certificate_location`, `ssl_key_location`, and `ssl_key_password`, a reference), on the
standard library's TLS context.

The key's password goes to `load_cert_chain` and nowhere else; a certificate that cannot be loaded
is a ConfigError naming the settings as written, never quoting the library (it may name the files
resolved from references) or the password.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field

from kgov.errors import ConfigError
from kgov.secrets import resolve_refs, shown


@dataclass(frozen=True)
class ClientCert:
    where: str  # e.g. environments.prod.schema_registry: safe to show
    certificate: str  # resolved paths: for the TLS context only
    key: str | None = None  # None: the key is in the certificate's file
    password: str | None = field(default=None, repr=False)  # secret


def client_cert(block: Mapping[str, object], where: str, https: bool) -> ClientCert | None:
    if "ssl_certificate_location" not in block:
        for key in ("ssl_key_location", "ssl_key_password"):
            if key in block:
                raise ConfigError(f"{where}.{key} is set without {where}.ssl_certificate_location")
        return None
    if not https:
        raise ConfigError(
            f"{where}.ssl_certificate_location needs an https:// url (a client certificate is TLS)"
        )
    paths: dict[str, str] = {}
    for key in ("ssl_certificate_location", "ssl_key_location"):
        if key in block:
            paths[key] = resolve_refs(block[key], f"{where}.{key}")
            if not os.path.isfile(paths[key]) or not os.access(paths[key], os.R_OK):
                raise ConfigError(
                    f"{where}.{key}: the file {shown(block[key])} does not exist or cannot be read",
                    hint="give the path of a readable PEM file",
                )
    password = (
        resolve_refs(block["ssl_key_password"], f"{where}.ssl_key_password")
        if "ssl_key_password" in block
        else None
    )
    return ClientCert(where, paths["ssl_certificate_location"], paths.get("ssl_key_location"), password)


def tls_context(ca: str | None, cert: ClientCert | None) -> ssl.SSLContext:
    """The registry connection's TLS: the server verified (against `ca` if given), and the client
    certificate presented when there is one."""
    context = ssl.create_default_context(cafile=ca)
    if cert is not None:
        try:
            # a callable, always: with None, OpenSSL would ask for an encrypted key's password on
            # the terminal (a hang in CI); without ssl_key_password an encrypted key fails here
            context.load_cert_chain(cert.certificate, cert.key, lambda: cert.password or "")
        except (OSError, ssl.SSLError):
            raise ConfigError(
                f"{cert.where}: cannot load the client certificate and key (not PEM, a key that does "
                "not match the certificate, or a wrong or missing ssl_key_password)",
                hint=f"check {cert.where}.ssl_certificate_location, ssl_key_location and ssl_key_password",
            ) from None
    return context
