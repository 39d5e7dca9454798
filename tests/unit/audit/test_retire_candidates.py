"""The audit's candidates to retire (issue 22, part 1): topics no group consumes and nobody wrote to
within ownership.active_within, with their bytes on disk, read in a fixed number of requests."""

from __future__ import annotations

import time
from pathlib import Path

from kgov.audit.build import audit_cluster
from kgov.audit.usage import read_usage
from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.kinds.base import Backends
from kgov.render import audit_html, audit_markdown

REPO = Path(__file__).resolve().parents[3]

DAY = 86_400_000


def _now() -> int:
    return int(time.time() * 1000)


def _cluster(idle: int = 1) -> tuple[MemoryCluster, MemoryReplicas]:
    c = MemoryCluster(brokers=1)
    port = MemoryReplicas({1: None})
    c.add_topic("a.busy", 1, 1)
    c.produce("a.busy", 3, at_ms=_now())
    c.commit("g1", "a.busy", 0, 1)
    c.add_topic("a.fresh", 1, 1)  # no group, but written an hour ago: in use
    c.produce("a.fresh", 1, at_ms=_now() - DAY // 24)
    c.add_topic("a.empty", 1, 1)  # no group, no record
    port.add_topic("a.empty", [[1]], size=0)
    for i in range(idle):
        c.add_topic(f"a.old{i}", 2, 1)
        c.produce(f"a.old{i}", 2, 0, at_ms=_now() - 30 * DAY)
        port.add_topic(f"a.old{i}", [[1], [1]], size=2048)
    return c, port


def test_topics_with_no_group_and_no_write_in_the_window_are_candidates_with_their_size() -> None:
    c, port = _cluster()
    topics = {n: t.partitions for n, t in c.topics.items()}
    found, warnings = read_usage(c, topics, 7 * DAY, port)
    assert found is not None and warnings == []
    got = {r.topic: (r.last_write_ms is not None, r.bytes) for r in found.retire}
    assert got == {"a.empty": (False, 0), "a.old0": (True, 4096)}
    doc = found.to_json()
    assert isinstance(doc, dict)
    rows = {r["topic"]: r for r in doc["retire_candidates"]}  # type: ignore[index]
    assert rows["a.old0"]["bytes"] == 4096 and rows["a.old0"]["last_write"].endswith("+00:00")
    assert rows["a.empty"]["last_write"] is None


def test_without_a_window_nothing_more_is_read_and_the_reads_are_fixed() -> None:
    def reads(idle: int) -> list[str]:
        c, port = _cluster(idle)
        topics = {n: t.partitions for n, t in c.topics.items()}
        c.requests.clear()
        port.requests.clear()
        found, _ = read_usage(c, topics, 7 * DAY, port)
        assert found is not None and len(found.retire) == idle + 1
        return sorted(
            r for r in (*c.requests, *port.requests) if not r.startswith("list_consumer_group_offsets")
        )

    assert reads(1) == reads(40)
    c, _ = _cluster()
    c.requests.clear()
    found, _ = read_usage(c, {n: t.partitions for n, t in c.topics.items()})
    assert found is not None and found.retire == ()
    assert "list_offsets_max_timestamp" not in c.requests


def test_the_audit_lists_them_in_markdown_and_html() -> None:
    catalog = load_catalog(REPO / "catalog").catalog
    c = MemoryCluster(brokers=1)
    for t in catalog.topics():
        c.add_topic(t.name, 1, 1, **{"min.insync.replicas": "1"})
    c.add_topic("<b>old</b>", 1, 1)
    c.produce("<b>old</b>", 1, at_ms=_now() - 30 * DAY)
    doc = audit_cluster(catalog, "local", Backends(kafka=c)).to_json()
    rows = {r["topic"]: r for r in doc["usage"]["retire_candidates"]}
    assert rows["<b>old</b>"]["bytes"] is None  # no replica port: the size is not read
    md = audit_markdown.render(doc)
    assert "Candidates to retire" in md and "not read" in md
    page = audit_html.render(doc)
    assert 'id="retire"' in page and "&lt;b&gt;old&lt;/b&gt;" in page and "<b>old" not in page


def test_ownership_retire_after_sets_the_audits_window_apart_from_active_within(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    root.mkdir()
    env = "environments:\n  local:\n    kafka: {bootstrap_servers: 'k:9092'}\n"
    c = MemoryCluster(brokers=1)
    c.add_topic("a.idle", 1, 1)
    c.produce("a.idle", 1, at_ms=_now() - 10 * DAY)  # idle 10 days: past active_within (7d), not 30d

    def candidates(ownership: str) -> list[str]:
        (root / "kgov.yaml").write_text(f"version: 1\n{ownership}{env}", encoding="utf-8")
        catalog = load_catalog(root).catalog
        doc = audit_cluster(catalog, "local", Backends(kafka=c)).to_json()
        return [r["topic"] for r in doc["usage"]["retire_candidates"]]

    assert candidates("") == ["a.idle"]  # the default window: active_within
    assert candidates("ownership: {retire_after: 30d}\n") == []
    assert candidates("ownership: {active_within: 30d, retire_after: 1d}\n") == ["a.idle"]
