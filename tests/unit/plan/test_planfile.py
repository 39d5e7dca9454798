from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.errors import PlanError
from kgov.plan import planfile
from kgov.plan.model import Plan

from .helpers import catalog, plan, topic


def sample_plan() -> Plan:
    """A plan with every topic action: create, update (partitions and configs), delete, blocked."""
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 3, 3, **{"retention.ms": "1"})
    cluster.add_topic("orders.b", 6, 3)
    cluster.add_topic("orders.gone", 1, 3)
    cat = catalog(
        topic("orders.a", 6),
        topic("orders.b", 3),
        topic("orders.c", 1, cleanup_policy="compact"),
        delete=True,
    )
    return plan(cat, cluster, allow_delete=True)


def test_plan_file_round_trips_every_action(tmp_path: Path) -> None:
    p = sample_plan()
    assert {e.action for e in p.entries} == {"create", "update", "delete", "blocked"}
    planfile.save(p, tmp_path / "p.json")
    assert planfile.load(tmp_path / "p.json") == p


def test_plan_json_is_v2_summarised_per_kind_and_valid_against_the_shipped_schema() -> None:
    doc = sample_plan().to_json()
    assert doc["format_version"] == 2
    nothing = {"managed": 0, "create": 0, "update": 0, "delete": 0, "blocked": 0}
    assert doc["summary"] == {
        "broker": {"title": "broker settings", **nothing},
        "topic": {"title": "topics", "managed": 3, "create": 1, "update": 1, "delete": 1, "blocked": 1},
        "user": {"title": "SCRAM users", **nothing},
        "acl": {"title": "ACL bindings", **nothing},
    }
    assert doc["totals"] == {"create": 1, "update": 1, "delete": 1, "blocked": 1}
    assert [e["address"] for e in doc["resource_changes"]] == [
        "topic.orders.a",
        "topic.orders.b",
        "topic.orders.c",
        "topic.orders.gone",
    ]
    assert list(Draft202012Validator(planfile.schema()).iter_errors(doc)) == []


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "p.json"
    path.write_text(content)
    return path


def test_a_v1_plan_file_is_refused_as_made_by_an_older_kgov(tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps({"format_version": 1, "actions": [], "scope": {"topics": []}}))
    with pytest.raises(PlanError) as caught:
        planfile.load(path)
    assert "made by an older kgov" in caught.value.message and "plan again" in caught.value.message


@pytest.mark.parametrize(
    "edit, where",
    [
        (lambda d: d.update(resource_changes=[{"kind": "topic"}]), "resource_changes/0"),
        (lambda d: d["resource_changes"][0].update(action="explode"), "resource_changes/0/action"),
        (lambda d: d.update(fingerprint="md5:0"), "fingerprint"),
        (lambda d: d.pop("scope"), "(top level)"),
        (lambda d: d["options"].update(allow_delete="yes"), "options/allow_delete"),
    ],
)
def test_a_malformed_plan_file_names_where(tmp_path: Path, edit: object, where: str) -> None:
    doc = sample_plan().to_json()
    edit(doc)  # type: ignore[operator]
    with pytest.raises(PlanError) as caught:
        planfile.load(_write(tmp_path, json.dumps(doc)))
    assert f"at {where}:" in caught.value.message


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "invalid JSON"),
        ("[]", "not a valid kgov plan file"),
        ('{"format_version": 99}', "newer kgov"),
    ],
)
def test_a_broken_plan_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(PlanError) as caught:
        planfile.load(_write(tmp_path, content))
    assert message in caught.value.message


def test_missing_or_special_plan_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        planfile.load(tmp_path / "nope.json")
    assert "cannot read" in caught.value.message
    with pytest.raises(PlanError) as caught:
        planfile.load(tmp_path)
    assert "cannot read" in caught.value.message or "not a regular file" in caught.value.message


def test_unwritable_plan_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PlanError) as caught:
        planfile.save(sample_plan(), blocker / "plan.json")  # a file where a folder should be
    assert caught.value.message.startswith(f"plan file: cannot write {blocker / 'plan.json'}")
