"""Write batches stay under the KRaft controller's limit of metadata records per request."""

from __future__ import annotations

from kgov.cluster.kafka_base import BATCH, MAX_RECORDS
from kgov.cluster.kafka_base import chunks as _chunks
from kgov.state import TopicSpec


def test_creations_are_split_by_the_records_they_write_not_only_by_count() -> None:
    config = {"retention.ms": "1", "segment.ms": "1"}
    topics = [TopicSpec(f"t{i}", 1, 1, config) for i in range(BATCH)]  # 4 records each
    weight = lambda t: 1 + t.partitions + len(t.config)  # noqa: E731
    chunks = list(_chunks(topics, weight))
    assert MAX_RECORDS < 4 * BATCH <= 2 * MAX_RECORDS  # one count batch is two record batches
    assert [len(c) for c in chunks] == [MAX_RECORDS // 4, BATCH - MAX_RECORDS // 4]
    assert all(sum(map(weight, c)) <= MAX_RECORDS for c in chunks)
    assert [t for c in chunks for t in c] == topics  # nothing lost, order kept


def test_reads_and_a_single_heavy_item_still_go_out() -> None:
    assert [len(c) for c in _chunks(list(range(2 * BATCH + 1)))] == [BATCH, BATCH, 1]
    heavy = [TopicSpec("big", MAX_RECORDS + 5, 1)]
    assert list(_chunks(heavy, lambda t: 1 + t.partitions)) == [heavy]  # the broker says why it refuses
