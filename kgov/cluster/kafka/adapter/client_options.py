"""kafka-python's KafkaAdminClient options for the connection the confluent-kafka adapter makes from
the same KafkaSettings (`client_config`, the one mapping; kgov/cluster/kafka/adapter/reassign.py
opens the client): a setting it cannot carry over is a ConfigError, never silently dropped."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from kgov.cluster.kafka.adapter.aws_token import aws_token_provider
from kgov.cluster.kafka.adapter.token_provider import TokenProvider
from kgov.cluster.kafka.client_settings import KafkaSettings
from kgov.errors import ConfigError

# librdkafka key (KafkaSettings.client) -> kafka-python KafkaAdminClient option
_SAME = {
    "client.id": "client_id",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.username": "sasl_plain_username",  # kafka-python takes SCRAM's user and password here too
    "sasl.password": "sasl_plain_password",
    "ssl.ca.location": "ssl_cafile",
    "ssl.certificate.location": "ssl_certfile",
    "ssl.key.location": "ssl_keyfile",
    "ssl.key.password": "ssl_password",
}
# librdkafka's OIDC settings (kgov/cluster/kafka/client_settings.py): kafka-python logs in with a token
# from the same client credentials, settings.oauth (TokenProvider)
_OIDC = {
    "sasl.oauthbearer.method",
    "sasl.oauthbearer.token.endpoint.url",
    "sasl.oauthbearer.client.id",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.scope",
    "sasl.oauthbearer.extensions",
    "https.ca.location",
}
_HANDLED = {
    "bootstrap.servers",
    "security.protocol",
    "socket.timeout.ms",
    "socket.connection.setup.timeout.ms",
    "enable.ssl.certificate.verification",
    "ssl.endpoint.identification.algorithm",
}


def client_config(settings: KafkaSettings) -> dict[str, Any]:
    """KafkaAdminClient's options for the connection the confluent-kafka adapter makes from the same
    settings: PLAINTEXT, SASL_PLAINTEXT / SASL_SSL with SCRAM (or PLAIN), SSL with a client
    certificate; CA, certificate and key files; verification off when the environment says
    `ssl_verify: false`. A setting it cannot carry over is a ConfigError, never silently dropped."""
    conf = settings.client
    handled = _HANDLED | (_OIDC if settings.oauth is not None else set())
    unknown = sorted(set(conf) - set(_SAME) - handled)
    if unknown:
        raise ConfigError(
            f"the reassignment client (kafka-python) cannot use the setting(s) {', '.join(unknown)}"
        )
    protocol = conf.get("security.protocol", "PLAINTEXT").upper()
    timeout_ms = int(conf.get("socket.timeout.ms", settings.timeout_s * 1000))
    out: dict[str, Any] = {
        "bootstrap_servers": [s.strip() for s in conf["bootstrap.servers"].split(",") if s.strip()],
        "client_id": "kgov",
        "security_protocol": protocol,
        "request_timeout_ms": timeout_ms,
        "bootstrap_timeout_ms": timeout_ms,
    }
    for key, option in _SAME.items():
        if key in conf and (protocol.startswith("SASL") or not key.startswith("sasl.")):
            out[option] = conf[key]
    if settings.aws_iam is not None:  # AWS MSK IAM: the same signed token, as SASL OAUTHBEARER
        out["sasl_oauth_token_provider"] = aws_token_provider(settings.aws_iam)
    elif settings.oauth is not None and protocol.startswith("SASL"):
        out["sasl_oauth_token_provider"] = TokenProvider(settings.oauth, settings.timeout_s)
    if conf.get("ssl.endpoint.identification.algorithm", "https").lower() == "none":
        out["ssl_check_hostname"] = False
    if conf.get("enable.ssl.certificate.verification", "true").lower() == "false" and "SSL" in protocol:
        out["ssl_check_hostname"] = False
        out["ssl_context"] = _unverified_context(out)
    return out


def _unverified_context(options: Mapping[str, Any]) -> ssl.SSLContext:
    """The TLS context of `ssl_verify: false` (kafka-python verifies whenever it builds its own): the
    server's certificate unchecked, the client certificate still presented."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if "ssl_certfile" in options:
        try:
            context.load_cert_chain(
                options["ssl_certfile"], options.get("ssl_keyfile"), options.get("ssl_password")
            )
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot load the client certificate and key: {exc}") from None
    return context
