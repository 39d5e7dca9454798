"""Open transactions through kafka-python's list_transactions, without a broker: the open states kept
(the brokers filter, an older one may not), one request counted per broker, and a kafka-python
without the method or with another answer shape a clear ClusterError."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.adapter.transactions import open_transactions
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.errors import ClusterError


def _client(admin: Any) -> KafkaReassign:
    src = Source("kgov.yaml", YamlDoc({}, {}))
    env = Environment(src, (), name="prod", kafka={"bootstrap_servers": "b:9092"})
    return KafkaReassign(kafka_settings(env), factory=lambda **_: admin)


class _Admin:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[Any] = []

    def list_transactions(self, state_filters: Any = None) -> Any:
        self.asked.append(state_filters)
        return self.answer


def _row(tid: str, state: str) -> Any:
    return SimpleNamespace(transactional_id=tid, producer_id=1, state=SimpleNamespace(value=state))


def test_the_open_transactions_of_every_broker() -> None:
    first = [_row("a-1", "Ongoing"), _row("a-2", "CompleteCommit")]
    admin = _Admin({1: first, 2: [_row("b-1", "PrepareAbort")]})
    client = _client(admin)
    assert open_transactions(client) == {"a-1": "Ongoing", "b-1": "PrepareAbort"}
    assert admin.asked == [["Ongoing", "PrepareCommit", "PrepareAbort"]]
    assert client.requests["list_transactions"] == 2  # one per broker


def test_a_kafka_python_without_list_transactions_is_a_clear_error() -> None:
    with pytest.raises(ClusterError, match="has no list_transactions"):
        open_transactions(_client(SimpleNamespace()))


def test_an_answer_of_another_shape_is_a_clear_error() -> None:
    with pytest.raises(ClusterError, match="unknown shape"):
        open_transactions(_client(_Admin({1: [SimpleNamespace(state="Ongoing")]})))
