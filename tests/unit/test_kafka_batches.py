"""Write batches stay under the KRaft controller's limit of metadata records per request; batches go
out IN_FLIGHT at a time, each answer read while the next is on its way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from kgov.cluster.kafka.adapter.base import BATCH, IN_FLIGHT, MAX_RECORDS, KafkaBase
from kgov.cluster.kafka.adapter.base import chunks as _chunks
from kgov.state import TopicSpec


def test_creations_are_split_by_the_records_they_write_not_only_by_count() -> None:
    each = MAX_RECORDS // BATCH + 1  # records a topic writes: one count batch is two record batches
    config = {f"c{i}.ms": "1" for i in range(each - 2)}
    topics = [TopicSpec(f"t{i}", 1, 1, config) for i in range(BATCH)]
    weight = lambda t: 1 + t.partitions + len(t.config)  # noqa: E731
    chunks = list(_chunks(topics, weight))
    assert MAX_RECORDS < each * BATCH <= 2 * MAX_RECORDS
    assert [len(c) for c in chunks] == [MAX_RECORDS // each, BATCH - MAX_RECORDS // each]
    assert all(sum(map(weight, c)) <= MAX_RECORDS for c in chunks)
    assert [t for c in chunks for t in c] == topics  # nothing lost, order kept


def test_reads_and_a_single_heavy_item_still_go_out() -> None:
    assert [len(c) for c in _chunks(list(range(2 * BATCH + 1)))] == [BATCH, BATCH, 1]
    heavy = [TopicSpec("big", MAX_RECORDS + 5, 1)]
    assert list(_chunks(heavy, lambda t: 1 + t.partitions)) == [heavy]  # the broker says why it refuses


class _Recorder(KafkaBase):
    def __init__(self) -> None:
        self._timeout = 1.0
        self.requests = Counter()
        self.events: list[str] = []

    def send(self, chunk: Sequence[int]) -> Mapping[Any, Future[Any]]:
        self.events.append(f"send {chunk[0]}")
        answers: dict[Any, Future[Any]] = {}
        for item in chunk:
            future: Future[Any] = Future()
            future.set_result(item)
            answers[str(item)] = future
        return answers

    def keep(self, item: int) -> int:
        if item % BATCH == 0:
            self.events.append(f"read {item}")
        return item * 2


def test_batches_go_out_two_at_a_time_each_answer_read_while_the_next_is_on_its_way() -> None:
    port = _Recorder()
    out = port._batched("read", list(range(3 * BATCH)), port.send, key=str, keep=port.keep)
    assert IN_FLIGHT == 2
    first, second, third = 0, BATCH, 2 * BATCH
    assert port.events == [
        f"send {first}",
        f"send {second}",  # before the first answer is read: the broker is never idle
        f"read {first}",
        f"send {third}",  # only after it: never more than two answers alive
        f"read {second}",
        f"read {third}",
    ]
    assert port.requests["read"] == 3
    assert out == {str(i): (2 * i, None) for i in range(3 * BATCH)}
