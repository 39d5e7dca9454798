"""The plan and apply commands end to end on the in-memory cluster: exit codes, refusals, files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.errors import CatalogError, KgovError, PlanError
from kgov.kinds.base import Backends
from kgov.plan.fingerprint import plan_fingerprint
from kgov.plan.model import plan_from_json
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
    assert run_plan(catalog, "local", backends=Backends(kafka=cluster)) == 0
    assert run_plan(catalog, "local", backends=Backends(kafka=cluster), detailed_exitcode=True) == 2
    cluster.add_topic("svc.a", 2, 1)
    assert run_plan(catalog, "local", backends=Backends(kafka=cluster), detailed_exitcode=True) == 0
    cluster.topics["svc.a"].partitions = 5
    assert (
        run_plan(catalog, "local", backends=Backends(kafka=cluster), detailed_exitcode=True) == 1
    )  # blocked decrease


def test_apply_off_a_terminal_needs_auto_approve(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    cluster = MemoryCluster(brokers=1)
    with pytest.raises(KgovError, match="--auto-approve"):
        run_apply(catalog, "local", backends=Backends(kafka=cluster))
    assert cluster.topics == {}
    assert run_apply(catalog, "local", backends=Backends(kafka=cluster), auto_approve=True) == 0
    assert set(cluster.topics) == {"svc.a"}


def test_saved_plan_applies_exactly_and_holds_no_secret(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a", **{"retention.ms": "1d"})]})
    cluster = MemoryCluster(brokers=1)
    plan_file = tmp_path / "plan.json"
    assert run_plan(catalog, "local", out=plan_file, backends=Backends(kafka=cluster)) == 0
    assert "hunter2" not in plan_file.read_text()
    assert run_apply(catalog, "local", plan_file=plan_file, backends=Backends(kafka=cluster)) == 0
    assert set(cluster.topics) == {"svc.a"}
    assert cluster.topics["svc.a"].partitions == 1
    assert cluster.topics["svc.a"].config == {"retention.ms": "86400000"}
    # applied twice: the second time the cluster has moved on, so the plan is stale
    with pytest.raises(PlanError) as caught:
        run_apply(catalog, "local", plan_file=plan_file, backends=Backends(kafka=cluster))
    assert "stale plan" in caught.value.message


def test_a_saved_plan_is_refused_when_the_catalog_changed_since(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = MemoryCluster(brokers=1)
    plan_file = tmp_path / "plan.json"
    assert run_plan(catalog, "local", out=plan_file, backends=Backends(kafka=cluster)) == 0
    write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a", 9), topic_doc("svc.b")]})
    with pytest.raises(PlanError) as caught:
        run_apply(catalog, "local", plan_file=plan_file, backends=Backends(kafka=cluster))
    assert "stale plan" in caught.value.message
    assert cluster.topics == {}


def test_stale_plan_is_refused_and_nothing_applied(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a"), topic_doc("svc.b")]})
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("svc.a", 1, 1)
    plan_file = tmp_path / "plan.json"
    run_plan(catalog, "local", out=plan_file, backends=Backends(kafka=cluster))
    cluster.topics["svc.a"].config["retention.ms"] = "1"
    with pytest.raises(PlanError, match="stale plan"):
        run_apply(catalog, "local", plan_file=plan_file, backends=Backends(kafka=cluster))
    assert "svc.b" not in cluster.topics


def test_plan_for_another_environment_is_refused(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    plan_file = tmp_path / "plan.json"
    run_plan(catalog, "local", out=plan_file, backends=Backends(kafka=MemoryCluster()))
    doc = json.loads(plan_file.read_text())
    doc["environment"] = "prod"
    plan_file.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match="environment 'prod'"):
        run_apply(catalog, "local", plan_file=plan_file, backends=Backends(kafka=MemoryCluster()))


def test_failed_action_makes_apply_exit_1(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a"), topic_doc("svc.b")]})
    cluster = MemoryCluster(brokers=1)
    cluster.fail["svc.b"] = "POLICY_VIOLATION: no"
    assert run_apply(catalog, "local", backends=Backends(kafka=cluster), auto_approve=True) == 1
    assert set(cluster.topics) == {"svc.a"}


def test_invalid_catalog_plans_nothing(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a", **{"retention.msx": "1"})]})
    cluster = MemoryCluster()
    with pytest.raises(CatalogError) as caught:
        run_plan(catalog, "local", backends=Backends(kafka=cluster))
    assert "1 error(s); nothing was planned" in caught.value.message
    assert cluster.requests == []


def test_unknown_environment(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    with pytest.raises(KgovError, match="unknown environment 'staging'"):
        run_plan(catalog, "staging", backends=Backends(kafka=MemoryCluster()))


def _tamper(plan_file: Path, edit: Callable[[dict[str, Any]], None], *, refingerprint: bool) -> None:
    """Edit a saved plan as an attacker would; with `refingerprint`, also recompute its fingerprint
    (the algorithm is public, so a matching fingerprint proves nothing on its own)."""
    doc = json.loads(plan_file.read_text())
    edit(doc)
    if refingerprint:
        plan = plan_from_json(doc)
        doc["fingerprint"] = plan_fingerprint(
            plan.environment, plan.allow_delete, plan.scope, plan.state_digest, plan.entries
        )
    plan_file.write_text(json.dumps(doc))


def _delete_offsets(doc: dict[str, Any]) -> None:
    doc["options"]["allow_delete"] = True
    doc["scope"] = {}
    doc["resource_changes"].append(
        {
            "address": "topic.__consumer_offsets",
            "kind": "topic",
            "name": "__consumer_offsets",
            "action": "delete",
            "before": None,
            "after": None,
            "changes": [],
            "reason": None,
            "hint": None,
            "group": None,
            "label": None,
            "notes": [],
        }
    )


@pytest.mark.parametrize("refingerprint", [False, True])
def test_a_hand_edited_plan_deleting_a_protected_topic_is_refused(
    tmp_path: Path, env: None, refingerprint: bool
) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("__consumer_offsets", 50, 1)
    cluster.add_topic("billing.paid", 3, 1)  # unowned
    plan_file = tmp_path / "plan.json"
    assert run_plan(catalog, "local", out=plan_file, backends=Backends(kafka=cluster)) == 0
    _tamper(plan_file, _delete_offsets, refingerprint=refingerprint)
    with pytest.raises(PlanError) as caught:
        run_apply(catalog, "local", plan_file=plan_file, allow_delete=True, backends=Backends(kafka=cluster))
    expected = "stale plan" if refingerprint else "was edited"
    assert expected in caught.value.message and "nothing was applied" in caught.value.message
    assert set(cluster.topics) == {"__consumer_offsets", "billing.paid"}


def test_a_hand_edited_config_change_of_an_unowned_topic_is_refused(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("svc.a", 1, 1)
    cluster.add_topic("billing.paid", 3, 1)
    plan_file = tmp_path / "plan.json"
    assert run_plan(catalog, "local", out=plan_file, backends=Backends(kafka=cluster)) == 0

    def alter(doc: dict[str, Any]) -> None:
        doc["scope"]["topic"]["names"].append("billing.paid")
        doc["resource_changes"].append(
            {
                "address": "topic.billing.paid",
                "kind": "topic",
                "name": "billing.paid",
                "action": "update",
                "before": None,
                "after": None,
                "changes": [
                    {
                        "field": "config.retention.ms",
                        "before": None,
                        "after": "1",
                        "detail": "set",
                        "default": None,
                        "blocked": False,
                    }
                ],
                "reason": None,
                "hint": None,
                "group": None,
                "label": None,
                "notes": [],
            }
        )

    _tamper(plan_file, alter, refingerprint=True)
    with pytest.raises(PlanError) as caught:
        run_apply(catalog, "local", plan_file=plan_file, backends=Backends(kafka=cluster))
    assert "stale plan" in caught.value.message and "scope" in caught.value.message
    assert cluster.topics["billing.paid"].config == {}


def test_a_plan_with_deletes_needs_allow_delete_at_apply_too(tmp_path: Path, env: None) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("svc.a", 1, 1)
    cluster.add_topic("svc.old", 1, 1)
    plan_file = tmp_path / "plan.json"
    assert run_plan(catalog, "local", out=plan_file, allow_delete=True, backends=Backends(kafka=cluster)) == 0
    with pytest.raises(PlanError) as caught:
        run_apply(catalog, "local", plan_file=plan_file, backends=Backends(kafka=cluster))
    assert "--allow-delete" in str(caught.value.hint)
    assert "svc.old" in cluster.topics
    assert (
        run_apply(catalog, "local", plan_file=plan_file, allow_delete=True, backends=Backends(kafka=cluster))
        == 0
    )
    assert "svc.old" not in cluster.topics


def test_plan_out_never_replaces_a_catalog_file_or_writes_through_a_symlink(
    tmp_path: Path, env: None
) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    settings = (catalog / "kgov.yaml").read_text()
    cluster = MemoryCluster(brokers=1)
    with pytest.raises(KgovError) as caught:
        run_plan(catalog, "local", out=catalog / "kgov.yaml", backends=Backends(kafka=cluster))
    assert "inside the catalog folder" in caught.value.message
    assert (catalog / "kgov.yaml").read_text() == settings
    assert cluster.requests == []  # refused before any work
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "plan.json").symlink_to(victim)
    with pytest.raises(KgovError) as caught:
        run_plan(catalog, "local", out=tmp_path / "plan.json", backends=Backends(kafka=cluster))
    assert "plan.json" in caught.value.message
    assert victim.read_text() == "keep me"
