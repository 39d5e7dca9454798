"""librdkafka client settings from an environment's `kafka` block, with secret references resolved.

The resolved settings may hold a password, and any value resolved from a reference (even the
bootstrap servers) counts as secret: it goes to the client and nowhere else (never printed, logged,
saved or put in an error message). What is shown is the setting as written (`bootstrap`).
With `sasl_mechanism: OAUTHBEARER` the `oauth` block's client credentials go to librdkafka's OIDC
support (`oauth_settings`), which fetches and refreshes the token itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from kgov.catalog.model import Environment
from kgov.cluster.kafka.aws_iam import AwsIamLogin, aws_iam_settings
from kgov.cluster.oauth import OAuthClient, oauth_client
from kgov.errors import ConfigError
from kgov.secrets import resolve_refs, shown

DEFAULT_TIMEOUT_MS = 15_000

# catalog key -> librdkafka key
_PASS_THROUGH = {
    "security_protocol": "security.protocol",
    "sasl_mechanism": "sasl.mechanism",
    "username": "sasl.username",
    "password": "sasl.password",
    "ssl_ca_location": "ssl.ca.location",
    "ssl_certificate_location": "ssl.certificate.location",
    "ssl_key_location": "ssl.key.location",
    "ssl_key_password": "ssl.key.password",
}
# Files librdkafka opens when the client is made: checked first, so a missing one is named clearly.
_FILES = ("ssl_ca_location", "ssl_certificate_location", "ssl_key_location")


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap: str  # safe to show: bootstrap_servers as written, references unresolved
    timeout_s: float
    client: Mapping[str, str]  # secret: for the client only
    oauth: OAuthClient | None = None  # OAUTHBEARER's client credentials (kafka-python fetches with them)
    # AWS MSK IAM (sasl_mechanism AWS_MSK_IAM): the token maker the clients' callbacks call
    aws_iam: AwsIamLogin | None = None

    def __repr__(self) -> str:  # keep the password out of any accidental repr
        return f"KafkaSettings(bootstrap={self.bootstrap!r}, timeout_s={self.timeout_s})"


def kafka_settings(env: Environment) -> KafkaSettings:
    block = env.kafka
    where = f"environments.{env.name}.kafka"
    conf: dict[str, str] = {
        "bootstrap.servers": resolve_refs(block["bootstrap_servers"], f"{where}.bootstrap_servers"),
        "client.id": "kgov",
    }
    aws_iam = None
    if block.get("sasl_mechanism") == "AWS_MSK_IAM" or "aws" in block:
        aws_iam = _aws_iam(block, where)
    for key, librdkafka_key in _PASS_THROUGH.items():
        if key in block and not (aws_iam and key == "sasl_mechanism"):
            conf[librdkafka_key] = resolve_refs(block[key], f"{where}.{key}")
            if key in _FILES:
                _check_file(conf[librdkafka_key], f"{where}.{key}", block[key])
    protocol = conf.get("security.protocol", "PLAINTEXT")
    if protocol.startswith("SASL") and "sasl.mechanism" not in conf:
        conf["sasl.mechanism"] = "SCRAM-SHA-512"
    oauth = None
    if conf.get("sasl.mechanism") == "OAUTHBEARER" or "oauth" in block:
        oauth, oidc = oauth_settings(block, where, protocol)
        conf.update(oidc)
    if block.get("ssl_verify", True) is False:
        conf["enable.ssl.certificate.verification"] = "false"
        conf["ssl.endpoint.identification.algorithm"] = "none"
    timeout_ms = _timeout_ms(block.get("timeout_ms", DEFAULT_TIMEOUT_MS), f"{where}.timeout_ms")
    conf["socket.timeout.ms"] = str(timeout_ms)
    conf["socket.connection.setup.timeout.ms"] = str(min(timeout_ms, 10_000))
    if aws_iam is not None:  # MSK's IAM listener is TLS; the token goes as SASL OAUTHBEARER
        conf.setdefault("security.protocol", "SASL_SSL")
        conf["sasl.mechanism"] = "OAUTHBEARER"
    return KafkaSettings(
        shown(block["bootstrap_servers"]), timeout_ms / 1000, conf, oauth=oauth, aws_iam=aws_iam
    )


def oauth_settings(
    block: Mapping[str, object], where: str, protocol: str
) -> tuple[OAuthClient, dict[str, str]]:
    """SASL OAUTHBEARER with OIDC client credentials, through librdkafka's own OIDC support: it asks
    the token endpoint for a token (and a new one before it expires) and logs in with it. kgov never
    sees the token; the client secret is resolved here and goes to librdkafka only."""
    oauth = block.get("oauth")
    if block.get("sasl_mechanism") != "OAUTHBEARER":
        raise ConfigError(
            f"{where}.oauth is set but sasl_mechanism is not OAUTHBEARER",
            hint="write sasl_mechanism: OAUTHBEARER to log in with an OAuth token, or remove oauth",
        )
    if not isinstance(oauth, Mapping):
        raise ConfigError(
            f"{where}.sasl_mechanism is OAUTHBEARER but {where}.oauth is not set",
            hint="give oauth: {token_endpoint_url, client_id, client_secret: '${env:NAME}'} (docs/logins.md)",
        )
    if not protocol.startswith("SASL"):
        raise ConfigError(
            f"{where}.sasl_mechanism OAUTHBEARER needs security_protocol SASL_SSL (or SASL_PLAINTEXT)"
        )
    for key in ("username", "password"):
        if key in block:
            raise ConfigError(
                f"{where}.{key} is set but an OAUTHBEARER login uses no user name or password",
                hint=f"remove {where}.{key}: the principal is the token's subject",
            )
    client = oauth_client(oauth, f"{where}.oauth")
    conf = {
        "sasl.oauthbearer.method": "oidc",
        "sasl.oauthbearer.token.endpoint.url": client.token_endpoint_url,
        "sasl.oauthbearer.client.id": client.client_id,
        "sasl.oauthbearer.client.secret": client.client_secret,
    }
    if client.scope:
        conf["sasl.oauthbearer.scope"] = client.scope
    if client.extensions:
        conf["sasl.oauthbearer.extensions"] = ",".join(f"{k}={v}" for k, v in client.extensions)
    if client.ca:
        conf["https.ca.location"] = client.ca
    return client, conf


def _aws_iam(block: Mapping[str, object], where: str) -> AwsIamLogin:
    if block.get("sasl_mechanism") != "AWS_MSK_IAM":
        raise ConfigError(
            f"{where}.aws is set, but {where}.sasl_mechanism is not AWS_MSK_IAM",
            hint="write sasl_mechanism: AWS_MSK_IAM to log in with AWS IAM, or remove the aws block",
        )
    if not str(block.get("security_protocol", "SASL_SSL")).startswith("SASL"):
        raise ConfigError(f"{where}.security_protocol must be SASL_SSL for sasl_mechanism AWS_MSK_IAM")
    return AwsIamLogin(aws_iam_settings(block, where))


def _check_file(path: str, field_name: str, written: object) -> None:
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise ConfigError(
            f"{field_name}: the file {shown(written)} does not exist or cannot be read",
            hint="give the path of a readable PEM file",
        )


def _timeout_ms(value: object, field_name: str) -> int:
    # The schema wants an integer ≥ 100; a settings file that skipped lint still gets a clear error.
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 3_600_000:
        raise ConfigError(f"{field_name}: expected a whole number of milliseconds between 100 and 3600000")
    return value
