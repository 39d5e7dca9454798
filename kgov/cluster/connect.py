"""librdkafka client settings from an environment's `kafka` block, with secret references resolved.

The resolved settings hold a password: they go to the client and nowhere else (never printed,
logged, saved or put in an error message).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kgov.catalog.model import Environment
from kgov.catalog.resolve import resolve_refs

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


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap: str  # safe to show
    timeout_s: float
    client: Mapping[str, str]  # secret: for the client only

    def __repr__(self) -> str:  # keep the password out of any accidental repr
        return f"KafkaSettings(bootstrap={self.bootstrap!r}, timeout_s={self.timeout_s})"


def kafka_settings(env: Environment) -> KafkaSettings:
    block = env.kafka
    where = f"environments.{env.name}.kafka"
    bootstrap = resolve_refs(block["bootstrap_servers"], f"{where}.bootstrap_servers")
    conf: dict[str, str] = {"bootstrap.servers": bootstrap, "client.id": "kgov"}
    for key, librdkafka_key in _PASS_THROUGH.items():
        if key in block:
            conf[librdkafka_key] = resolve_refs(block[key], f"{where}.{key}")
    protocol = conf.get("security.protocol", "PLAINTEXT")
    if protocol.startswith("SASL") and "sasl.mechanism" not in conf:
        conf["sasl.mechanism"] = "SCRAM-SHA-512"
    if block.get("ssl_verify", True) is False:
        conf["enable.ssl.certificate.verification"] = "false"
        conf["ssl.endpoint.identification.algorithm"] = "none"
    timeout_ms = int(str(block.get("timeout_ms", DEFAULT_TIMEOUT_MS)))
    conf["socket.timeout.ms"] = str(timeout_ms)
    conf["socket.connection.setup.timeout.ms"] = str(min(timeout_ms, 10_000))
    return KafkaSettings(bootstrap, timeout_ms / 1000, conf)
