"""The Kafka processes of a sandbox: one combined broker + controller node (the default), or a KRaft
controller plus N brokers (`--brokers N`), so replication factor 3 and min.insync.replicas 2 behave as
in production. A node's name is also its process name (pid file, log file, command-line mark)."""

from __future__ import annotations

from dataclasses import dataclass

from kgov.sandbox.settings import HOST, SSL_HOST, Settings, broker_port, kafka_process_names

CONTROLLER_NODE_ID = 0


@dataclass(frozen=True)
class KafkaNode:
    name: str  # "kafka" (combined), "controller", "broker-<k>"
    node_id: int
    roles: str  # process.roles
    index: int  # k of broker-<k> (1 for the combined node, 0 for a dedicated controller)

    @property
    def is_broker(self) -> bool:
        return "broker" in self.roles.split(",")

    @property
    def is_controller(self) -> bool:
        return "controller" in self.roles.split(",")


def kafka_nodes(settings: Settings) -> tuple[KafkaNode, ...]:
    nodes: list[KafkaNode] = []
    for name in kafka_process_names(settings):
        if name == "kafka":
            nodes.append(KafkaNode(name, 1, "broker,controller", 1))
        elif name == "controller":
            nodes.append(KafkaNode(name, CONTROLLER_NODE_ID, "controller", 0))
        else:
            k = int(name.removeprefix("broker-"))
            nodes.append(KafkaNode(name, k, "broker", k))
    return tuple(nodes)


def brokers(settings: Settings) -> tuple[KafkaNode, ...]:
    return tuple(n for n in kafka_nodes(settings) if n.is_broker)


def replication(settings: Settings) -> tuple[int, int]:
    """(replication factor, min ISR) of the internal topics and the default for new topics:
    3 and 2 from three brokers up, as in production; everything once on a single broker."""
    factor = min(3, settings.brokers)
    return factor, 2 if factor >= 3 else 1


def bootstrap(settings: Settings, listener: str) -> str:
    """host:port of every broker on one listener ("plaintext", "sasl", "ssl", "mtls"), comma-separated."""
    host = SSL_HOST if listener in ("ssl", "mtls") else HOST
    return ",".join(f"{host}:{broker_port(settings.ports, listener, b.index)}" for b in brokers(settings))
