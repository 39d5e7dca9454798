"""The plan and apply commands end to end on the in-memory cluster: exit codes, refusals, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.cluster.memory import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.errors import KgovError, PlanError
from tests.support import topic_doc, write_catalog


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "KGOV_BOOTSTRAP_SASL": "127.0.0.1:1",
        "KGOV_USERNAME": "admin",
        "KGOV_PASSWORD": "hunter2-very-secret",
    }.items():
        monkeypatch.setenv(name, value)


def test_plan_exit_codes(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a", 2)]})
    cluster = MemoryCluster(brokers=1)
    assert run_plan(catalog, "local", cluster=cluster) == 0
    assert run_plan(catalog, "local", cluster=cluster, detailed_exitcode=True) == 2
    cluster.add_topic("svc.a", 2, 1)
    assert run_plan(catalog, "local", cluster=cluster, detailed_exitcode=True) == 0
    cluster.topics["svc.a"].partitions = 5
    assert run_plan(catalog, "local", cluster=cluster, detailed_exitcode=True) == 1  # blocked decrease


def test_apply_off_a_terminal_needs_auto_approve(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    cluster = MemoryCluster(brokers=1)
    with pytest.raises(KgovError, match="--auto-approve"):
        run_apply(catalog, "local", cluster=cluster)
    assert cluster.topics == {}
    assert run_apply(catalog, "local", cluster=cluster, auto_approve=True) == 0
    assert set(cluster.topics) == {"svc.a"}


def test_saved_plan_applies_exactly_and_holds_no_secret(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a", **{"retention.ms": "1d"})]})
    cluster = MemoryCluster(brokers=1)
    plan_file = tmp_path / "plan.json"
    assert run_plan(catalog, "local", out=plan_file, cluster=cluster) == 0
    assert "hunter2" not in plan_file.read_text()
    # the catalog changes after the plan was made: apply still does what the plan said
    write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a", 9), topic_doc("svc.b")]})
    assert run_apply(catalog, "local", plan_file=plan_file, cluster=cluster) == 0
    assert set(cluster.topics) == {"svc.a"}
    assert cluster.topics["svc.a"].partitions == 1
    assert cluster.topics["svc.a"].config == {"retention.ms": "86400000"}


def test_stale_plan_is_refused_and_nothing_applied(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a"), topic_doc("svc.b")]})
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("svc.a", 1, 1)
    plan_file = tmp_path / "plan.json"
    run_plan(catalog, "local", out=plan_file, cluster=cluster)
    cluster.topics["svc.a"].config["retention.ms"] = "1"
    with pytest.raises(PlanError, match="stale plan"):
        run_apply(catalog, "local", plan_file=plan_file, cluster=cluster)
    assert "svc.b" not in cluster.topics


def test_plan_for_another_environment_is_refused(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    plan_file = tmp_path / "plan.json"
    run_plan(catalog, "local", out=plan_file, cluster=MemoryCluster())
    doc = json.loads(plan_file.read_text())
    doc["environment"] = "prod"
    plan_file.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match="environment 'prod'"):
        run_apply(catalog, "local", plan_file=plan_file, cluster=MemoryCluster())


def test_failed_action_makes_apply_exit_1(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a"), topic_doc("svc.b")]})
    cluster = MemoryCluster(brokers=1)
    cluster.fail["svc.b"] = "POLICY_VIOLATION: no"
    assert run_apply(catalog, "local", cluster=cluster, auto_approve=True) == 1
    assert set(cluster.topics) == {"svc.a"}


def test_invalid_catalog_plans_nothing(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a", **{"retention.msx": "1"})]})
    cluster = MemoryCluster()
    with pytest.raises(KgovError, match=r"retention\.msx|error"):
        run_plan(catalog, "local", cluster=cluster)
    assert cluster.requests == []


def test_unknown_environment(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    with pytest.raises(KgovError, match="unknown environment 'staging'"):
        run_plan(catalog, "staging", cluster=MemoryCluster())
