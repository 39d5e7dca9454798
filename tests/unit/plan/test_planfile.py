from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.cluster.memory import MemoryCluster
from kgov.errors import PlanError
from kgov.plan import planfile
from kgov.plan.make import make_plan
from kgov.plan.model import Plan

from .helpers import OWN_DELETE, desired, topic


def _plan() -> Plan:
    cluster = MemoryCluster()
    cluster.add_topic("orders.a", 3, 3, **{"retention.ms": "1"})
    cluster.add_topic("orders.b", 6, 3)
    cluster.add_topic("orders.gone", 1, 3)
    want = desired(topic("orders.a", 6), topic("orders.b", 3), topic("orders.c", 1, cleanup_policy="compact"))
    return make_plan(want, cluster, OWN_DELETE, allow_delete=True)


def test_plan_file_round_trips_every_action_kind(tmp_path: Path) -> None:
    plan = _plan()
    kinds = {a.kind for a in plan.actions}
    assert kinds == {"create_topic", "increase_partitions", "alter_topic_config", "delete_topic", "blocked"}
    planfile.save(plan, tmp_path / "p.json")
    assert planfile.load(tmp_path / "p.json") == plan


def test_plan_json_is_versioned_and_summarised() -> None:
    doc = _plan().to_json()
    assert doc["format_version"] == 1
    assert doc["summary"] == {"create": 1, "change": 1, "delete": 1, "blocked": 1}
    assert doc["fingerprint"].startswith("sha256:")


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "invalid JSON"),
        ("[]", "JSON object"),
        ('{"format_version": 99}', "format_version"),
        ('{"format_version": 1, "actions": [{"kind": "explode", "name": "x"}]}', "unknown action kind"),
        ('{"format_version": 1}', "not a usable plan file"),
    ],
)
def test_a_broken_plan_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content)
    with pytest.raises(PlanError, match=message):
        planfile.load(path)


def test_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read"):
        planfile.load(tmp_path / "nope.json")


def test_plan_json_is_plain_json() -> None:
    assert json.loads(json.dumps(_plan().to_json()))["environment"] == "test"


def test_unwritable_plan_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PlanError, match="cannot write the plan file"):
        planfile.save(_plan(), blocker / "plan.json")  # a file where a folder should be
