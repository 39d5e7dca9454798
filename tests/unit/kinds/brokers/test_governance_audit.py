"""The broker kind's governance findings in `kgov audit` on the in-memory twin: from what its observe
read (the hook gets no port), with their remedies in the JSON and the renderers; nothing without a
cluster file (nothing read) or with --catalog-only."""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import Any

from kgov.audit.build import audit_catalog, audit_cluster
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.render import audit_html, audit_markdown
from kgov.render.escape import md_text

REPO = Path(__file__).resolve().parents[4]


def _catalog(tmp_path: Path, cluster: str | None) -> Catalog:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    shutil.rmtree(root / "cluster", ignore_errors=True)  # the example's own: this test writes its own
    if cluster is not None:
        (root / "cluster").mkdir(exist_ok=True)
        (root / "cluster" / "local.yaml").write_text(cluster)
    loaded = load_catalog(root)
    assert loaded.diagnostics == ()
    return loaded.catalog


def _open_cluster() -> MemoryCluster:
    kafka = MemoryCluster(brokers=2)
    for broker in (1, 2):  # server.properties: what the sandbox's --server-property writes
        kafka.static_configs[broker] = {"auto.create.topics.enable": "true", "delete.topic.enable": "false"}
    kafka.static_configs[2]["unclean.leader.election.enable"] = "true"
    return kafka


def _broker_findings(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["rule"]: v for v in doc["violations"] if v["kind"] == "broker"}


def test_the_audit_reports_the_bypasses_it_read_with_their_remedies(tmp_path: Path) -> None:
    kafka = _open_cluster()
    audit = audit_cluster(_catalog(tmp_path, "settings: {}\n"), "local", Backends(kafka=kafka))
    doc = audit.to_json()
    assert isinstance(doc, dict)
    found = _broker_findings(doc)
    assert {"auto-create-topics", "unclean-leader-election"} <= set(found)
    auto = found["auto-create-topics"]
    assert auto["severity"] == "error" and "on brokers 1, 2" in auto["message"]
    assert "auto.create.topics.enable=false" in auto["hint"]
    assert "on broker 2:" in found["unclean-leader-election"]["message"]
    assert "delete-topic-enable" not in found
    markdown, page = audit_markdown.render(doc), audit_html.render(doc)
    assert md_text(auto["hint"]) in markdown and html.escape(auto["hint"], quote=True) in page
    assert not [r for r in kafka.requests if "alter" in r]  # the audit never writes


def test_without_a_cluster_file_the_audit_still_reads_the_brokers_but_plans_nothing(tmp_path: Path) -> None:
    kafka = _open_cluster()
    catalog = _catalog(tmp_path, None)
    doc = audit_cluster(catalog, "local", Backends(kafka=kafka)).to_json()
    assert isinstance(doc, dict)
    assert "auto-create-topics" in _broker_findings(doc)
    assert [e for e in doc["drift"] if e["kind"] == "broker"] == []  # the catalog manages no setting


def test_a_plan_without_a_cluster_file_reads_no_broker_settings(tmp_path: Path) -> None:
    kafka = _open_cluster()
    catalog = _catalog(tmp_path, None)
    make_plan(catalog, "local", Backends(kafka=kafka), allow_delete=False)
    planned = list(kafka.requests)
    kafka.requests.clear()
    audit_cluster(catalog, "local", Backends(kafka=kafka))
    # the audit's one extra read: the brokers' settings (DescribeCluster, the default and 2 brokers)
    assert kafka.requests.count("describe_configs") == planned.count("describe_configs") + 3


def test_unread_brokers_are_said_and_the_audit_goes_on(tmp_path: Path) -> None:
    kafka = _open_cluster()
    kafka.broker_read_errors["2"] = "CLUSTER_AUTHORIZATION_FAILED"
    doc = audit_cluster(_catalog(tmp_path, None), "local", Backends(kafka=kafka)).to_json()
    assert isinstance(doc, dict)
    found = _broker_findings(doc)
    assert found["broker-settings-unread"]["name"] == "2"
    assert "on broker 1:" in found["auto-create-topics"]["message"]


def test_catalog_only_reads_nothing(tmp_path: Path) -> None:
    doc = audit_catalog(_catalog(tmp_path, "settings: {}\n"), "local").to_json()
    assert isinstance(doc, dict)
    assert _broker_findings(doc) == {}
