"""The cluster-default broker resource (Kafka's BROKER resource named "") through kafka-python.

Why not confluent-kafka: librdkafka (2.16) refuses a BROKER ConfigResource with an empty name
("Invalid ConfigResource"), so the cluster default can neither be read nor written with it; Kafka's
own tool (`kafka-configs.sh --entity-default`) sends exactly that resource. kafka-python 3.0 has the
protocol messages (kafka.protocol.admin DescribeConfigsRequest, IncrementalAlterConfigsRequest) but
its admin methods also refuse the empty name (they route a BROKER resource to the broker it names).

So this one module touches kafka-python's internals: the admin client's connection manager
(`_manager.send`, `_manager.run`), with the public protocol classes. It is the only place that does;
kafka-python is pinned to 3.x in pyproject.toml; tests/integration/test_broker_settings_port.py
proves it against a real broker; a kafka-python whose internals changed fails here with a clear
ClusterError (`CHANGED`), never a wrong answer (an unreadable answer is an error, not "no configs").

The client comes from the environment's settings as the reassignment client's does (client_config),
bounded, interruptible and retried as it is (KafkaReassign's `_call`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import kafka.errors as kafka_errors
from kafka import KafkaAdminClient
from kafka.protocol.admin import DescribeConfigsRequest, IncrementalAlterConfigsRequest

from kgov.cluster.kafka.adapter.reassign import KafkaReassign, error_text
from kgov.cluster.kafka.broker_port import BrokerConfigValue
from kgov.cluster.kafka.client_settings import KafkaSettings
from kgov.cluster.kafka.port import ConfigOp
from kgov.errors import ClusterError

BROKER = 4  # Kafka's resource type of broker configs
SET, DELETE = 0, 1  # IncrementalAlterConfigs operations
# Kafka's ConfigSource numbers (DescribeConfigs v1+)
SOURCES = {
    0: "UNKNOWN",
    1: "DYNAMIC_TOPIC_CONFIG",
    2: "DYNAMIC_BROKER_CONFIG",
    3: "DYNAMIC_DEFAULT_BROKER_CONFIG",
    4: "STATIC_BROKER_CONFIG",
    5: "DEFAULT_CONFIG",
    6: "DYNAMIC_BROKER_LOGGER_CONFIG",
    7: "DYNAMIC_CLIENT_METRICS_CONFIG",
    8: "DYNAMIC_GROUP_CONFIG",
}
CHANGED = (
    "kafka-python {version} no longer has the internals kgov uses for the cluster-default broker "
    "resource ({detail}); kgov needs kafka-python 3.0.x"
)


class _Client(KafkaReassign):
    """The kafka-python client of the broker settings (bounded, interruptible, retried calls)."""

    def _failure(self, request: str, detail: str) -> ClusterError:
        if request == "bootstrap":
            return ClusterError(
                f"the broker-settings client cannot reach Kafka at {self.settings.bootstrap} ({detail})",
                hint="check bootstrap_servers, security_protocol, credentials and certificates",
            )
        return ClusterError(f"{request} of the cluster-default broker configs failed: {detail}")


def _changed(detail: str) -> ClusterError:
    import kafka

    return ClusterError(CHANGED.format(version=getattr(kafka, "__version__", "?"), detail=detail))


def _send(admin: Any, request: Any) -> Any:
    manager = getattr(admin, "_manager", None)
    if (
        manager is None
        or not callable(getattr(manager, "send", None))
        or not callable(getattr(manager, "run", None))
    ):
        raise _changed("KafkaAdminClient._manager.send/run")
    return manager.run(manager.send, request)


def _error(error: Any, message: str | None) -> str:
    """Kafka's error as the confluent-kafka adapter shows one: "NAME: what Kafka said"."""
    name = getattr(error, "message", None) or getattr(error, "__name__", str(error))
    return f"{name}: {message}" if message else error_text(error)


class ClusterDefault:
    def __init__(self, settings: KafkaSettings, factory: Callable[..., Any] = KafkaAdminClient) -> None:
        self._client = _Client(settings, factory)

    @property
    def requests(self) -> Mapping[str, int]:
        return self._client.requests

    def describe(self) -> dict[str, BrokerConfigValue]:
        """The cluster default's dynamic configs (one DescribeConfigs request to any broker)."""
        request = DescribeConfigsRequest(resources=[(BROKER, "", None)], include_synonyms=False)
        answer = self._client._call("describe_configs", lambda admin: _send(admin, request))
        try:
            (result,) = answer.results
            error = kafka_errors.for_code(result.error_code)
            if error is not kafka_errors.NoError:
                raise ClusterError(
                    f"Kafka would not describe the cluster-default broker configs: "
                    f"{_error(error, result.error_message)}"
                )
            return {
                str(c.name): BrokerConfigValue(
                    None if c.is_sensitive or c.value is None else str(c.value),
                    SOURCES.get(int(c.config_source), "UNKNOWN"),
                    bool(c.is_sensitive),
                    bool(c.read_only),
                )
                for c in result.configs
            }
        except (AttributeError, TypeError, ValueError) as exc:
            raise _changed(f"DescribeConfigsResponse: {type(exc).__name__}") from None

    def alter(self, ops: Sequence[ConfigOp]) -> str | None:
        """One IncrementalAlterConfigs request for the cluster default; None or Kafka's error."""
        entries = [(o.key, DELETE if o.value is None else SET, o.value) for o in ops]
        request = IncrementalAlterConfigsRequest(resources=[(BROKER, "", entries)], validate_only=False)
        try:
            answer = self._client._call("incremental_alter_configs", lambda admin: _send(admin, request))
        except ClusterError as exc:
            return exc.message
        try:
            (result,) = answer.responses
            error = kafka_errors.for_code(result.error_code)
        except (AttributeError, TypeError, ValueError) as exc:
            raise _changed(f"IncrementalAlterConfigsResponse: {type(exc).__name__}") from None
        return None if error is kafka_errors.NoError else _error(error, result.error_message)

    def close(self) -> None:
        self._client.close()
