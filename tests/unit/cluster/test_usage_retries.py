"""ListOffsets answers a partition of a topic created a moment ago with a retriable error while its
leader is elected: the usage adapter asks again for those partitions only, a bounded number of times,
and reports a partition that never answers (a delete's evidence then says which error)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from kgov.cluster.kafka.adapter import usage
from kgov.cluster.kafka.adapter.usage import RETRIES, KafkaUsageMixin


class _Admin:
    """list_offsets whose partitions fail `fails[partition]` times with `code`, then answer."""

    def __init__(self, fails: dict[int, int], code: int) -> None:
        self.fails, self.code = dict(fails), code
        self.asked: list[list[int]] = []

    def list_offsets(
        self, request: dict[TopicPartition, Any], request_timeout: float
    ) -> dict[Any, Future[Any]]:
        self.asked.append(sorted(tp.partition for tp in request))
        out: dict[Any, Future[Any]] = {}
        for tp in request:
            future: Future[Any] = Future()
            if self.fails.get(tp.partition, 0) > 0:
                self.fails[tp.partition] -= 1
                future.set_exception(KafkaException(KafkaError(self.code)))
            else:
                answer = type("Answer", (), {"offset": 7, "timestamp": 1_000})()
                future.set_result(answer)
            out[TopicPartition(tp.topic, tp.partition)] = future
        return out


def _port(admin: _Admin) -> KafkaUsageMixin:
    port = KafkaUsageMixin.__new__(KafkaUsageMixin)
    port._admin = admin  # type: ignore[attr-defined]
    port._timeout = 1.0
    port.requests = Counter()
    return port


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage, "RETRY_PAUSE_S", 0.0)


def test_a_partition_whose_leader_is_being_elected_is_asked_again_alone() -> None:
    admin = _Admin({1: 2}, KafkaError.LEADER_NOT_AVAILABLE)
    writes = _port(admin).last_writes([("t", 0), ("t", 1), ("t", 2)])
    assert writes.errors == {}
    assert writes.newest == {("t", 0): 1_000, ("t", 1): 1_000, ("t", 2): 1_000}
    assert admin.asked == [[0, 1, 2], [1], [1]]


def test_a_partition_that_never_answers_is_reported_after_the_bounded_tries() -> None:
    admin = _Admin({0: 99}, KafkaError.OFFSET_NOT_AVAILABLE)
    logs = _port(admin).log_offsets([("t", 0), ("t", 1)])
    assert set(logs.errors) == {("t", 0)} and logs.end == {("t", 1): 7}
    assert len(admin.asked) == 1 + RETRIES + 1  # the ends (with retries), then the start of t-1


def test_an_error_a_new_try_cannot_mend_is_reported_at_once() -> None:
    admin = _Admin({0: 1}, KafkaError.TOPIC_AUTHORIZATION_FAILED)
    writes = _port(admin).last_writes([("t", 0)])
    assert set(writes.errors) == {("t", 0)}
    assert admin.asked == [[0]]
