"""The audit of the in-memory cluster: one read, each planted item found, hostile names escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.audit.build import audit_catalog, audit_cluster
from kgov.bindings import Binding
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.cluster.kafka.access_port import ScramUpsert
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.audit import run_audit
from kgov.kinds.base import Backends
from kgov.render import audit_html, audit_markdown

REPO = Path(__file__).resolve().parents[3]
EVIL_TOPIC = "evil<script>alert(1)</script>"
EVIL_PRINCIPAL = 'User:<img src=x onerror="alert(2)">|`x`'


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(REPO / "catalog").catalog


def _cluster(catalog: Catalog) -> MemoryCluster:
    """The example applied (topics and bindings), plus planted drift and unmanaged resources."""
    c = MemoryCluster(brokers=1)
    for t in catalog.topics():
        c.add_topic(t.name, t.partitions, 1, **{"min.insync.replicas": "1"})
    audit = audit_cluster(catalog, "local", Backends(kafka=c))
    c.create_acls([Binding.from_json(e.after) for e in audit.drift if e.kind == "acl"])
    c.topics["orders.created"].config["retention.ms"] = "1000"  # drift
    c.add_topic("legacy_orders", 1, 1)  # unmanaged, breaks the naming policy
    c.add_topic(EVIL_TOPIC, 1, 1)
    c.add_topic("__consumer_offsets", 50, 1)  # protected: never reported
    c.create_acls(
        [
            Binding("User:mallory", "topic", "prefixed", "payments.", "READ"),
            Binding(EVIL_PRINCIPAL, "topic", "literal", EVIL_TOPIC, "WRITE"),
        ]
    )
    c.alter_scram([ScramUpsert("stranger", "SCRAM-SHA-512", 4096, "pw-of-the-stranger")], [])
    return c


def test_audit_finds_each_planted_item(catalog: Catalog) -> None:
    c = _cluster(catalog)
    doc = audit_cluster(catalog, "local", Backends(kafka=c)).to_json()
    assert doc["format_version"] == 5 and doc["source"] == "cluster"
    drift = {(e["kind"], e["name"], e["action"]) for e in doc["drift"]}
    assert ("topic", "orders.created", "update") in drift
    unmanaged = {(u["kind"], u["name"]) for u in doc["unmanaged"]}
    assert ("topic", "legacy_orders") in unmanaged and ("topic", EVIL_TOPIC) in unmanaged
    assert ("user", "stranger") in unmanaged
    assert ("acl", "User:mallory.topic.prefixed.payments..READ.allow.*") in unmanaged
    assert not any(n == "__consumer_offsets" for _, n in unmanaged)
    assert not any(k == "topic" and n in {t.name for t in catalog.topics()} for k, n in unmanaged)
    rules = {(v["rule"], v["name"]) for v in doc["violations"]}
    assert ("naming", "legacy_orders") in rules and ("min-insync-replicas", "legacy_orders") in rules
    assert ("min-insync-replicas", "orders.created") not in rules  # the local override allows 1
    cells = {(c["principal"], c["topic"]): c for c in doc["access_matrix"]["cells"]}
    assert cells[("User:mallory", "payments.completed")]["rights"]["consume"] is True
    assert cells[("User:orders", "orders.created")]["grants"]["produce"] == [
        "allow User:orders WRITE topic orders.created"
    ]
    edges = {(e["source"], e["target"]) for e in doc["data_flow"]["edges"]}
    assert ("topic:payments.completed", "principal:User:mallory") in edges
    assert "pw-of-the-stranger" not in json.dumps(doc)


def test_catalog_only_matches_the_applied_cluster(catalog: Catalog) -> None:
    c = _cluster(catalog)
    live = audit_cluster(catalog, "local", Backends(kafka=c)).matrix
    offline = audit_catalog(catalog, "local").matrix
    declared = {p for p in offline.principals}
    assert {x for x in live.cells if x.principal in declared} == set(offline.cells)


def test_hostile_names_are_escaped_in_html_and_markdown(catalog: Catalog) -> None:
    doc = audit_cluster(catalog, "local", Backends(kafka=_cluster(catalog))).to_json()
    page = audit_html.render(doc)
    assert "<script>alert" not in page and "<img src" not in page
    assert "evil&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # the report's own, and nothing else
    md = audit_markdown.render(doc)
    assert "<script>" not in md and "<img" not in md and "&lt;img src=x" in md
    assert "\\`x\\`" in md and "\\|" in md  # no code span or table cell broken open


def test_scale_10000_topics_10000_bindings(tmp_path: Path, catalog: Catalog) -> None:
    c = MemoryCluster(brokers=1)
    for i in range(10_000):
        c.add_topic(f"team{i % 50}.topic-{i}", 1, 1)
    c.create_acls(
        [
            Binding(f"User:svc{i % 1000}", "topic", "literal", f"team{i % 50}.topic-{i}", "READ")
            for i in range(9_950)
        ]
        + [Binding(f"User:bi{i}", "topic", "prefixed", f"team{i}.", "READ") for i in range(50)]
    )
    doc = audit_cluster(catalog, "local", Backends(kafka=c)).to_json()
    page = audit_html.render(doc)
    assert doc["summary"]["topics"] >= 10_000 and len(doc["access_matrix"]["cells"]) >= 19_900
    assert len(page.encode()) <= 5_000_000, len(page.encode())  # the time: benchmarks/audit_benchmark.py


def test_command_writes_each_format(tmp_path: Path, catalog: Catalog) -> None:
    backends = Backends(kafka=_cluster(catalog))
    for fmt in ("json", "markdown", "html"):
        out = tmp_path / f"audit.{fmt}"
        assert run_audit(REPO / "catalog", "local", fmt=fmt, out=out, backends=backends) == 0
        assert out.stat().st_size > 1000
    assert json.loads((tmp_path / "audit.json").read_text())["summary"]["unmanaged"] >= 4
    out = tmp_path / "offline.json"
    assert run_audit(REPO / "catalog", "local", fmt="json", out=out, catalog_only=True) == 0
    assert json.loads(out.read_text())["source"] == "catalog"
