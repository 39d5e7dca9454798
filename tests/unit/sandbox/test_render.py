"""The broker config rendered from the packaged template."""

from __future__ import annotations

from pathlib import Path

from kgov.sandbox.render import parse_properties, render_log4j2, render_server_properties
from kgov.sandbox.settings import Ports, Settings


def _render(settings: Settings) -> dict[str, str]:
    text = render_server_properties(
        settings,
        data_dir=Path("/state/kafka-data"),
        keystore_file=Path("/state/tls/server.p12"),
        keystore_password="s3cret",
        ca_file=Path("/state/tls/ca.pem"),
    )
    assert "${" not in text
    return parse_properties(text)


def test_default_listeners_and_security() -> None:
    props = _render(Settings())
    assert props["listeners"] == (
        "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,"
        "SASL_PLAINTEXT://127.0.0.1:9094,SASL_SSL://127.0.0.1:9095,SSL://127.0.0.1:9096,"
        "OAUTH://127.0.0.1:9097"
    )
    assert props["advertised.listeners"] == (
        "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094,SASL_SSL://localhost:9095,"
        "SSL://localhost:9096,OAUTH://127.0.0.1:9097"
    )
    assert props["listener.name.oauth.sasl.enabled.mechanisms"] == "OAUTHBEARER"
    assert props["listener.name.oauth.oauthbearer.sasl.oauthbearer.expected.issuer"] == "http://127.0.0.1:8083"
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:9093"
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["super.users"] == "User:ANONYMOUS;User:admin"
    # Kafka's default (false) and not written: the audit reports a broker that sets it (its value is hidden)
    assert "allow.everyone.if.no.acl.found" not in props
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-256,SCRAM-SHA-512"
    for listener in ("sasl_plaintext", "sasl_ssl"):
        for mech in ("scram-sha-256", "scram-sha-512"):
            assert "ScramLoginModule required" in props[f"listener.name.{listener}.{mech}.sasl.jaas.config"]


def test_single_node_settings() -> None:
    props = _render(Settings())
    assert props["auto.create.topics.enable"] == "false"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
    ):
        assert props[key] == "1", key


def test_paths_and_keystore_are_filled_in() -> None:
    props = _render(Settings())
    assert props["log.dirs"] == "/state/kafka-data"
    assert props["listener.name.sasl_ssl.ssl.keystore.location"] == "/state/tls/server.p12"
    assert props["listener.name.sasl_ssl.ssl.keystore.password"] == "s3cret"
    assert props["listener.name.sasl_ssl.ssl.keystore.type"] == "PKCS12"


def test_mtls_listener_requires_a_client_certificate_and_maps_its_cn() -> None:
    props = _render(Settings())
    assert props["listener.name.ssl.ssl.client.auth"] == "required"
    assert props["listener.name.ssl.ssl.truststore.type"] == "PEM"
    assert props["listener.name.ssl.ssl.truststore.location"] == "/state/tls/ca.pem"
    rules = props["listener.name.ssl.ssl.principal.mapping.rules"]
    assert rules == "RULE:^(.*,)?CN=([^,]+)(,.*)?$/$2/,DEFAULT"
    assert props["listener.name.ssl.ssl.keystore.location"] == "/state/tls/server.p12"


def test_custom_ports() -> None:
    ports = Ports(plaintext=19092, controller=19093, sasl=19094, ssl=19095)
    props = _render(Settings(ports=ports))
    assert "SASL_SSL://127.0.0.1:19095" in props["listeners"]
    assert "SASL_SSL://localhost:19095" in props["advertised.listeners"]
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"


def test_log4j2_config_logs_to_stdout() -> None:
    props = parse_properties(render_log4j2())
    assert props["appender.out.type"] == "Console"
    assert props["rootLogger.level"] == "INFO"
