"""The quota adapter without a broker: kafka-python's quota messages built and read through a fake
KafkaAdminClient, and a kafka-python that changed the internals the adapter uses (or a broker
without the quota APIs) stopped with a clear ClusterError before any request, never a wrong read."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import kafka.errors as kafka_errors
import pytest

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter import quotas as adapter
from kgov.cluster.kafka.adapter.quotas import KafkaQuotas
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.cluster.kafka.quota_port import DEFAULT_PART, QuotaAlteration, QuotaEntity, named
from kgov.errors import ClusterError


class _Versions:
    def __init__(self, supported: bool = True) -> None:
        self.supported = supported

    def api_version(self, request: Any) -> int:
        if not self.supported:
            raise kafka_errors.IncompatibleBrokerVersion("no")
        return 1


class _Manager:
    def __init__(self, answer: Any, supported: bool = True) -> None:
        self.answer = answer
        self.sent: list[Any] = []
        self.broker_version_data = _Versions(supported)

    async def send(self, request: Any) -> Any:
        self.sent.append(request)
        return self.answer

    def run(self, coro: Any, *args: Any) -> Any:
        return asyncio.run(coro(*args))


def _port(manager: Any) -> KafkaQuotas:
    env = Environment(
        Source("kgov.yaml", YamlDoc({}, {})), (), name="prod", kafka={"bootstrap_servers": "b:1"}
    )
    fake = SimpleNamespace(_manager=manager, close=lambda: None)
    rights = SimpleNamespace(principal="User:kgov", cluster_operations=lambda: frozenset({"ALTER_CONFIGS"}))
    return KafkaQuotas(KafkaReassign(kafka_settings(env), factory=lambda **_: fake), rights)


def _entity(t: str, n: str | None) -> Any:
    return SimpleNamespace(entity_type=t, entity_name=n)


def test_describe_reads_user_and_client_id_entities_and_leaves_ip_out() -> None:
    answer = SimpleNamespace(
        error_code=0,
        error_message=None,
        entries=[
            SimpleNamespace(
                entity=[_entity("user", "orders")],
                values=[SimpleNamespace(key="producer_byte_rate", value=1024.0)],
            ),
            SimpleNamespace(
                entity=[_entity("user", None), _entity("client-id", "api")],
                values=[SimpleNamespace(key="request_percentage", value=5.0)],
            ),
            SimpleNamespace(
                entity=[_entity("ip", "10.0.0.1")],
                values=[SimpleNamespace(key="connection_creation_rate", value=3.0)],
            ),
        ],
    )
    manager = _Manager(answer)
    port = _port(manager)
    assert port.describe_quotas() == {
        QuotaEntity(named("orders")): {"producer_byte_rate": 1024.0},
        QuotaEntity(DEFAULT_PART, named("api")): {"request_percentage": 5.0},
    }
    [sent] = manager.sent
    assert sent.components == [] and sent.strict is False  # every entity, in one request
    assert port.requests["describe_client_quotas"] == 1


def test_alter_sends_one_batch_and_reads_each_entitys_outcome() -> None:
    orders, default_user = QuotaEntity(named("orders")), QuotaEntity(DEFAULT_PART)
    answer = SimpleNamespace(
        entries=[
            SimpleNamespace(error_code=0, error_message=None, entity=[_entity("user", "orders")]),
            SimpleNamespace(
                error_code=42, error_message="Quota x must be greater than 0", entity=[_entity("user", None)]
            ),
        ]
    )
    manager = _Manager(answer)
    out = _port(manager).alter_quotas(
        [
            QuotaAlteration(orders, {"producer_byte_rate": 2048.0}, ("consumer_byte_rate",)),
            QuotaAlteration(default_user, {"x": 0.0}),
        ]
    )
    assert out == {orders: None, default_user: "INVALID_REQUEST: Quota x must be greater than 0"}
    [sent] = manager.sent
    first, second = sent.entries
    assert [(e.entity_type, e.entity_name) for e in second.entity] == [("user", None)]
    assert [(o.key, o.value, o.remove) for o in first.ops] == [
        ("producer_byte_rate", 2048.0, False),
        ("consumer_byte_rate", 0.0, True),
    ]


def test_a_kafka_python_without_the_internals_used_is_a_clear_error_before_any_request() -> None:
    class NoSend:
        broker_version_data = _Versions()

        def run(self, coro: Any, *args: Any) -> Any:
            raise AssertionError("nothing may be sent")

    with pytest.raises(
        ClusterError, match=r"kafka-python .* does not offer .*_manager\.send missing"
    ) as caught:
        _port(NoSend()).describe_quotas()
    assert caught.value.hint is not None and "kafka-python" in caught.value.hint


def test_a_message_class_that_changed_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Changed:  # the request class without its nested data classes
        pass

    monkeypatch.setattr(adapter.messages, "AlterClientQuotasRequest", Changed)
    manager = _Manager(None)
    with pytest.raises(ClusterError, match=r"AlterClientQuotasRequest\.EntryData"):
        _port(manager).alter_quotas([QuotaAlteration(QuotaEntity(named("a")), {"producer_byte_rate": 1.0})])
    assert manager.sent == []


def test_an_answer_of_another_shape_is_a_clear_error_not_an_empty_listing() -> None:
    answer = SimpleNamespace(
        error_code=0, entries=[SimpleNamespace(entity=[_entity("user", "a")])]
    )  # no values
    with pytest.raises(ClusterError, match="DescribeClientQuotasResponse"):
        _port(_Manager(answer)).describe_quotas()


def test_a_broker_without_the_quota_apis_says_so() -> None:
    with pytest.raises(ClusterError, match="does not support DescribeClientQuotas"):
        _port(_Manager(None, supported=False)).describe_quotas()


def test_a_failed_describe_is_an_error() -> None:
    answer = SimpleNamespace(error_code=31, error_message="Cluster authorization failed.", entries=None)
    with pytest.raises(
        ClusterError, match="cannot read the client quotas at b:1: Cluster authorization failed"
    ):
        _port(_Manager(answer)).describe_quotas()
