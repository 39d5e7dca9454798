"""Batching proven where it lives: the requests the real adapter sends over the wire to the real
broker, counted by librdkafka's own statistics, are the same for a plan of 10 topics and of BATCH (1,500)."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import NewTopic

from kgov.catalog.load import load_catalog
from kgov.catalog.resolve import environment
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.base import BATCH
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from tests.support import topic_doc

from .kgovtest import admin, unique_service, write_catalog

ADMIN_REQUESTS = ("Metadata", "DescribeConfigs", "CreateTopics", "CreatePartitions", "DeleteTopics")


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox."""


class WireCount:
    """librdkafka's statistics: per broker, the requests it has sent, by request type."""

    def __init__(self) -> None:
        self.last: dict[str, Any] = {}

    def __call__(self, stats_json: str) -> None:
        self.last = json.loads(stats_json)

    def sent(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for broker in self.last.get("brokers", {}).values():
            for request, count in (broker.get("req") or {}).items():
                if request in ADMIN_REQUESTS:
                    total[request] += count
        return total


def _create(names: list[str]) -> None:
    client = admin()
    for start in range(0, len(names), 1000):
        futures = client.create_topics(
            [NewTopic(n, 1, 1) for n in names[start : start + 1000]], operation_timeout=60
        )
        for future in futures.values():
            future.result()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        listed = client.list_topics(timeout=30).topics
        if all(n in listed for n in names):
            return
        time.sleep(0.5)
    raise AssertionError("the topics did not show up in the broker's metadata")


def _delete(names: list[str]) -> None:
    for start in range(0, len(names), 1000):
        for future in admin().delete_topics(names[start : start + 1000], operation_timeout=60).values():
            future.result()


def _plan_on_the_wire(catalog_dir: Path) -> tuple[Counter[str], int]:
    catalog = load_catalog(catalog_dir).catalog
    stats = WireCount()
    cluster = KafkaCluster(
        kafka_settings(environment(catalog, "local")),
        {"statistics.interval.ms": 100, "stats_cb": stats},
    )
    plan = make_plan(catalog, "local", Backends(kafka=cluster), allow_delete=False)
    time.sleep(0.3)
    cluster.poll(0.5)  # serves the statistics callback with the final counts
    return stats.sent(), len(plan.entries)


def test_plan_sends_the_same_requests_for_10_topics_and_a_full_batch(tmp_path: Path) -> None:
    small, large = unique_service(), unique_service()
    small_names = [f"{small}.t{i:04d}" for i in range(10)]
    large_names = [f"{large}.t{i:04d}" for i in range(BATCH)]
    _create(small_names + large_names)
    try:
        small_dir = write_catalog(tmp_path / "small", {small: [topic_doc(n) for n in small_names]})
        large_dir = write_catalog(tmp_path / "large", {large: [topic_doc(n) for n in large_names]})
        small_sent, small_entries = _plan_on_the_wire(small_dir)
        large_sent, large_entries = _plan_on_the_wire(large_dir)
    finally:
        _delete(small_names + large_names)
    assert (small_entries, large_entries) == (0, 0)  # the cluster matches: a pure read
    assert small_sent["Metadata"] >= 1 and small_sent["DescribeConfigs"] == 1
    assert small_sent == large_sent
