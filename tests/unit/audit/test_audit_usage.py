"""Usage and subjects in the audit, on the in-memory twins: exact lag per group and topic, topics
nobody consumes, empty topics, a group Kafka will not describe; unmanaged subjects and NONE levels."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgov.audit.build import audit_cluster
from kgov.audit.usage import read_usage
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.cluster.kafka.port import GroupOffsets
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.registry import MemoryRegistry
from kgov.cluster.registry.port import NewSchema
from kgov.kinds.base import Backends
from kgov.render import audit_html, audit_markdown

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(REPO / "catalog").catalog


def test_lag_unconsumed_and_empty_topics() -> None:
    c = MemoryCluster(brokers=1)
    c.add_topic("a.busy", 2, 1)
    c.add_topic("a.idle", 1, 1)
    c.add_topic("a.empty", 1, 1)
    c.add_topic("a.expired", 1, 1)
    c.produce("a.busy", 10, 0)
    c.produce("a.busy", 5, 1)
    c.produce("a.idle", 3)
    c.produce("a.expired", 4)
    c.expire("a.expired")
    c.commit("g1", "a.busy", 0, 7)  # 3 behind on partition 0; partition 1 never committed
    c.commit("g2", "a.busy", 0, 10)
    c.commit("g2", "a.busy", 1, 5)
    c.commit("g2", "gone.topic", 0, 1)  # a topic out of scope: ignored
    c.commit("g3", "a.expired", 0, 4)
    c.requests.clear()
    topics = {"a.busy": 2, "a.idle": 1, "a.empty": 1, "a.expired": 1}
    found, warnings = read_usage(c, topics)
    assert found is not None and warnings == []
    assert [(x.group, x.topic, x.lag, x.partitions, x.of) for x in found.lag] == [
        ("g1", "a.busy", 3, 1, 2),
        ("g2", "a.busy", 0, 2, 2),
        ("g3", "a.expired", 0, 1, 1),
    ]
    assert found.unconsumed == ("a.empty", "a.idle")
    assert found.empty == ("a.empty", "a.expired")
    # one listing, one offset fetch per group (not per topic), one ListOffsets batch per end
    assert sorted(c.requests) == sorted(
        ["list_consumer_groups", *["list_consumer_group_offsets"] * 3, "list_offsets", "list_offsets"]
    )


def test_a_group_kafka_will_not_describe_is_a_warning() -> None:
    c = MemoryCluster(brokers=1)
    c.add_topic("a.t", 1, 1)
    c.produce("a.t", 2)
    c.commit("secret-group", "a.t", 0, 1)
    c.deny_group("secret-group")
    found, warnings = read_usage(c, {"a.t": 1})
    assert found is not None and found.lag == () and found.unconsumed == ("a.t",)
    assert warnings == ["consumer group secret-group: offsets not read (GROUP_AUTHORIZATION_FAILED: "
                        "Group authorization failed.)"]  # fmt: skip


def test_usage_in_the_audit_and_its_renderings(catalog: Catalog) -> None:
    c = MemoryCluster(brokers=1)
    for t in catalog.topics():
        c.add_topic(t.name, 1, 1, **{"min.insync.replicas": "1"})
    c.produce("orders.created", 10)
    c.commit("<b>billing</b>", "orders.created", 0, 4)
    doc = audit_cluster(catalog, "local", Backends(kafka=c)).to_json()
    usage = doc["usage"]
    assert usage["lag"] == [
        {"group": "<b>billing</b>", "topic": "orders.created", "lag": 6, "partitions": 1, "of": 1}
    ]
    assert (
        "orders.created" not in usage["unconsumed_topics"]
        and "payments.completed" in usage["unconsumed_topics"]
    )
    assert "payments.completed" in usage["empty_topics"] and "orders.created" not in usage["empty_topics"]
    assert doc["summary"]["lagging"] == 1 and doc["summary"]["empty"] == len(usage["empty_topics"])
    page = audit_html.render(doc)
    assert 'id="lag"' in page and "&lt;b&gt;billing&lt;/b&gt;" in page and "<b>billing" not in page
    md = audit_markdown.render(doc)
    assert "Consumer lag" in md and "| 6 |" in md and "Empty topics" in md


def test_unmanaged_subjects_and_none_levels(catalog: Catalog) -> None:
    c = MemoryCluster(brokers=1)
    registry = MemoryRegistry()
    schema = '{"type": "record", "name": "X", "fields": []}'
    registry.register(NewSchema("stray-value", "AVRO", schema))
    registry.set_level("stray-value", "NONE")
    registry.register(NewSchema("other-value", "AVRO", schema))
    registry.register(NewSchema("orders.created-value", "AVRO", schema))
    registry.set_level("orders.created-value", "NONE")
    registry.register(NewSchema("_schemas-internal", "AVRO", schema))  # protected: never reported
    doc = audit_cluster(catalog, "local", Backends(kafka=c, registry=registry)).to_json()
    unmanaged = {(u["kind"], u["name"]): u["detail"] for u in doc["unmanaged"] if u["kind"] == "subject"}
    assert unmanaged == {
        ("subject", "stray-value"): {"compatibility": "NONE"},
        ("subject", "other-value"): {"compatibility": "BACKWARD"},
    }
    none = sorted(v["name"] for v in doc["violations"] if v["rule"] == "compatibility-none")
    assert none == ["orders.created-value", "stray-value"]
    drift = {e["name"]: e for e in doc["drift"] if e["kind"] == "subject"}
    fields = {(c["field"], c["before"], c["after"]) for c in drift["orders.created-value"]["changes"]}
    assert ("compatibility", "NONE", "BACKWARD") in fields  # what plan would change
    assert drift["payments.completed-value"]["action"] == "create"


def test_a_groups_error_text_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's error text for a group can quote a resolved setting: redacted like any error."""
    from kgov import secrets

    monkeypatch.setenv("T_AUDIT_PW", "Hunter2-Audit,Tail")
    secrets.resolve_refs("${env:T_AUDIT_PW}", "environments.local.kafka.password")
    c = MemoryCluster(brokers=1)
    c.add_topic("a.t", 1, 1)
    c.commit("g", "a.t", 0, 1)
    monkeypatch.setattr(c, "group_offsets", lambda groups: GroupOffsets({}, {"g": "failed at Tail:9092"}))
    _, warnings = read_usage(c, {"a.t": 1})
    assert warnings and "Tail" not in warnings[0] and "${env:T_AUDIT_PW}" in warnings[0]
