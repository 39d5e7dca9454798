"""A plan of the example sends one Metadata request, counted on the wire by librdkafka: the ACL
kind's check that kgov sees the catalog's topics reuses the topic kind's listing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from kgov.catalog.load import load_catalog
from kgov.catalog.resolve import environment
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.engine.make import make_plan
from kgov.kinds import KINDS
from kgov.kinds.base import Backends, Kind

from .kgovtest import kgov
from .test_batching import WireCount

REPO = Path(__file__).resolve().parents[2]


def _wire(kinds: Sequence[Kind]) -> tuple[int, int, bool]:
    """Metadata requests on the wire, kgov's own count of listings, whether the plan has changes."""
    import time

    catalog = load_catalog(REPO / "catalog").catalog
    stats = WireCount()
    cluster = KafkaCluster(
        kafka_settings(environment(catalog, "local")), {"statistics.interval.ms": 100, "stats_cb": stats}
    )
    cluster.cluster_operations()  # connected and bootstrapped before counting: DescribeCluster only
    time.sleep(0.3)
    cluster.poll(0.5)
    before = stats.sent()["Metadata"]
    plan = make_plan(catalog, "local", Backends(kafka=cluster), allow_delete=False, kinds=kinds)
    time.sleep(0.3)
    cluster.poll(0.5)  # serves the statistics callback with the final counts
    return stats.sent()["Metadata"] - before, cluster.requests["metadata"], plan.has_changes


def test_a_plan_of_the_example_lists_topics_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for service in ("orders", "inventory", "notifications", "shipping", "users"):  # its SCRAM users
        monkeypatch.setenv(f"{service.upper()}_PASSWORD", f"example-{service}-password")
    applied = kgov("apply", "--env", "local", "--catalog", str(REPO / "catalog"), "--auto-approve")
    assert applied.code == 0, applied.output  # every example topic exists: none is asked about by name
    topics_only = [k for k in KINDS if k.name == "topic"]
    kafka_kinds = [k for k in KINDS if k.backend == "kafka"]
    assert [k.name for k in kafka_kinds] == ["broker", "topic", "user", "acl"]
    alone, alone_listings, _ = _wire(topics_only)
    full, full_listings, changes = _wire(kafka_kinds)
    assert not changes
    assert (alone_listings, full_listings) == (1, 1)  # the ACL kind's visibility check lists nothing
    assert alone >= 1 and full == alone  # and the users and ACLs add no Metadata request on the wire
