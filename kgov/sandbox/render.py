"""Fill in the packaged broker config templates (pure functions: text in, text out)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from string import Template

from kgov.sandbox.issuer import AUDIENCE
from kgov.sandbox.nodes import KafkaNode, kafka_nodes, replication
from kgov.sandbox.properties import with_properties
from kgov.sandbox.settings import HOST, SSL_HOST, Settings, broker_port


def packaged_text(name: str) -> str:
    """A file shipped inside kgov/sandbox/ (templates, poms)."""
    return resources.files("kgov.sandbox").joinpath(name).read_text(encoding="utf-8")


def _escape_property(value: str) -> str:
    """Java .properties values treat backslashes as escapes; paths on Windows would need them doubled."""
    return value.replace("\\", "\\\\")


def render_server_properties(
    settings: Settings,
    *,
    data_dir: Path,
    keystore_file: Path,
    keystore_password: str,
    ca_file: Path,
    node: KafkaNode | None = None,
    jwks_url: str = "file:///dev/null",
) -> str:
    """The config of one Kafka node (default: the first, i.e. the one-broker sandbox's combined node),
    with the `--server-property` settings in place of the template's (every node: a dedicated
    controller authorizes what the brokers forward, so it must agree with them)."""
    node = node or kafka_nodes(settings)[0]
    return with_properties(
        _template(settings, data_dir, keystore_file, keystore_password, ca_file, node, jwks_url),
        settings.server_properties,
    )


def _template(
    settings: Settings,
    data_dir: Path,
    keystore_file: Path,
    keystore_password: str,
    ca_file: Path,
    node: KafkaNode,
    jwks_url: str,
) -> str:
    ports = settings.ports
    factor, min_isr = replication(settings)
    if not node.is_broker:
        return Template(packaged_text("kafka-controller.properties")).substitute(
            host=HOST,
            node_id=node.node_id,
            controller_port=ports.controller,
            data_dir=_escape_property(str(data_dir)),
            replication_factor=factor,
        )
    return Template(packaged_text("kafka-server.properties")).substitute(
        host=HOST,
        ssl_host=SSL_HOST,
        roles=node.roles,
        node_id=node.node_id,
        rack=rack_line(settings, node),
        controller_listener=f"CONTROLLER://{HOST}:{ports.controller}," if node.is_controller else "",
        plaintext_port=broker_port(ports, "plaintext", node.index),
        controller_port=ports.controller,
        sasl_port=broker_port(ports, "sasl", node.index),
        ssl_port=broker_port(ports, "ssl", node.index),
        mtls_port=broker_port(ports, "mtls", node.index),
        oauth_port=broker_port(ports, "oauth", node.index),
        jwks_url=_escape_property(jwks_url),
        oauth_audience=AUDIENCE,
        oauth_issuer=f"http://{HOST}:{ports.issuer}",
        replication_factor=factor,
        min_isr=min_isr,
        data_dir=_escape_property(str(data_dir)),
        keystore_file=_escape_property(str(keystore_file)),
        keystore_password=_escape_property(keystore_password),
        ca_file=_escape_property(str(ca_file)),
    )


def rack_line(settings: Settings, node: KafkaNode) -> str:
    """broker.rack of a broker: r{(k-1) % racks} for broker k, or a comment when racks is 0."""
    if not settings.racks:
        return "# broker.rack: none (`kgov sandbox up --racks N` sets one)"
    return f"broker.rack=r{(node.index - 1) % settings.racks}"


def render_log4j2() -> str:
    return packaged_text("kafka-log4j2.properties")


def parse_properties(text: str) -> dict[str, str]:
    """A small reader for the simple `key=value` lines we write (used by tests and sanity checks)."""
    result: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        result[key.strip()] = value.strip()
    return result
