"""The plan of replication-factor changes reads the real cluster in a number of requests that does
not grow with the number of topics (issue 20): 2 and 8 topics changing from RF 1 to RF 3 on the
three-broker sandbox cost the same requests, counted by both clients (confluent-kafka's and the
kafka-python reassignment client's), as the other request tests count them."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from pathlib import Path

from confluent_kafka.admin import AdminClient, NewTopic

from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.replicas import KafkaReplicas
from kgov.commands.common import connect
from kgov.engine.make import make_plan
from tests.support import unique_service

from .conftest import ThreeBrokers
from .test_replicas_kind import ENV, _catalog


def _requests(root: Path) -> tuple[Counter[str], int]:
    """Every request the plan sent, by name, and the number of reassign entries."""
    catalog = load_catalog(root).catalog
    backends = connect(catalog, ENV)
    try:
        plan = make_plan(catalog, ENV, backends, allow_delete=False)
        kafka, reassign = backends.kafka, backends.reassign
        assert isinstance(kafka, KafkaCluster) and isinstance(reassign, KafkaReplicas)
        counted: Counter[str] = Counter(kafka.requests) + Counter(reassign.reassign.requests)
        return counted, sum(1 for e in plan.entries if e.action == "reassign")
    finally:
        if isinstance(backends.reassign, KafkaReplicas):
            backends.reassign.close()


def _visible_on_every_broker(bootstrap: str, names: list[str]) -> None:
    """Wait until each broker's metadata holds the new topics: a plan whose metadata read reaches a
    broker that has not caught up sees them missing and sends another read (kgov/kinds/rights.py
    `check_topics_visible`), which made the two counts differ under CI load."""
    for server in bootstrap.split(","):
        one = AdminClient({"bootstrap.servers": server})
        deadline = time.monotonic() + 30
        while not set(names) <= set(one.list_topics(timeout=10).topics):
            assert time.monotonic() < deadline, f"{server} never listed the new topics"
            time.sleep(0.1)


def test_plan_requests_do_not_grow_with_the_number_of_topics(sandbox3: ThreeBrokers, tmp_path: Path) -> None:
    bootstrap = sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    service = unique_service()
    names = [f"{service}.t{i}" for i in range(8)]
    for future in admin.create_topics([NewTopic(n, 6, 1) for n in names]).values():
        future.result(timeout=60)
    _visible_on_every_broker(bootstrap, names)
    try:
        few, few_entries = _requests(_catalog(tmp_path / "few", bootstrap, names[:2], 3))
        many, many_entries = _requests(_catalog(tmp_path / "many", bootstrap, names, 3))
        print(f"\nplan of 2 RF changes: {dict(few)}\nplan of 8 RF changes: {dict(many)}")
        assert (few_entries, many_entries) == (2, 8)
        assert many == few
    finally:
        for future in admin.delete_topics(names).values():
            with contextlib.suppress(Exception):  # cleanup only
                future.result(timeout=60)
