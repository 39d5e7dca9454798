"""Deletes with evidence (issue 22, part 1): a topic delete shows the consumer groups on it, their lag
and the last write; a topic in use within ownership.active_within is blocked unless
--allow-delete-active; the evidence is read in a fixed number of requests."""

from __future__ import annotations

import io
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.engine.apply import apply_plan
from kgov.errors import KgovError, PlanError
from kgov.kinds.base import Backends
from kgov.plan.fingerprint import plan_fingerprint
from kgov.plan.model import EVIDENCE, Plan, plan_from_json
from kgov.render import plan_markdown, plan_text
from tests.support import topic_doc, write_catalog
from tests.unit.plan.helpers import catalog, plan, topic

HOUR = 3_600_000
DAY = 24 * HOUR


def _now() -> int:
    return int(time.time() * 1000)


def _cluster() -> MemoryCluster:
    cluster = MemoryCluster()
    cluster.add_topic("orders.keep", 1, 3)
    cluster.add_topic("orders.busy", 2, 3)
    cluster.add_topic("orders.idle", 1, 3)
    cluster.produce("orders.busy", 10, 0, at_ms=_now() - HOUR)
    cluster.commit("billing-consumer", "orders.busy", 0, 7)
    cluster.produce("orders.idle", 4, 0, at_ms=_now() - 30 * DAY)
    return cluster


CAT = catalog(topic("orders.keep", 1), delete=True)


def _entry(p: Plan, name: str) -> dict[str, object]:
    doc = p.to_json()
    entries = doc["resource_changes"]
    assert isinstance(entries, list)
    found = [e for e in entries if e["name"] == name]
    assert len(found) == 1
    return found[0]


def test_a_topic_in_use_is_blocked_with_its_groups_lag_and_last_write() -> None:
    p = plan(CAT, _cluster(), allow_delete=True)
    busy = _entry(p, "orders.busy")
    assert busy["action"] == "blocked"
    reason = str(busy["reason"])
    assert "billing-consumer (lag 3)" in reason
    assert "last write" in reason and "1h ago" in reason
    assert "--allow-delete-active" in str(busy["hint"])
    # the idle topic (no group, last write 30 days ago) is deleted with --allow-delete alone
    idle = _entry(p, "orders.idle")
    assert idle["action"] == "delete"
    assert any(n.startswith(EVIDENCE) and "no consumer group" in n and "30d ago" in n for n in idle["notes"])  # type: ignore[attr-defined]


def test_allow_delete_active_plans_and_applies_the_delete_with_its_evidence() -> None:
    cluster = _cluster()
    p = plan(CAT, cluster, allow_delete=True, allow_delete_active=True)
    busy = _entry(p, "orders.busy")
    assert busy["action"] == "delete"
    assert any("billing-consumer (lag 3)" in n for n in busy["notes"])  # type: ignore[attr-defined]
    assert p.to_json()["options"] == {"allow_delete": True, "allow_delete_active": True}
    results = apply_plan(p, Backends(kafka=cluster))
    assert all(r.ok for r in results)
    assert "orders.busy" not in cluster.topics and "orders.idle" not in cluster.topics


def test_a_recent_write_without_a_group_is_in_use_and_the_window_is_configurable() -> None:
    cluster = MemoryCluster()
    cluster.add_topic("orders.fresh", 1, 3)
    cluster.produce("orders.fresh", 1, 0, at_ms=_now() - 2 * DAY)
    assert _entry(plan(CAT, cluster, allow_delete=True), "orders.fresh")["action"] == "blocked"
    ownership = replace(CAT.settings.ownership, active_within_ms=DAY)
    short = replace(CAT, settings=replace(CAT.settings, ownership=ownership))
    assert _entry(plan(short, cluster, allow_delete=True), "orders.fresh")["action"] == "delete"


def test_evidence_is_read_in_a_fixed_number_of_requests() -> None:
    def reads(deleted: int) -> list[str]:
        cluster = MemoryCluster()
        cluster.add_topic("orders.keep", 1, 3)
        for i in range(deleted):
            cluster.add_topic(f"orders.gone{i}", 3, 3)
        cluster.commit("g1", "orders.keep", 0, 0)
        cluster.requests.clear()
        plan(CAT, cluster, allow_delete=True)
        return [r for r in cluster.requests if r.startswith(("list_consumer", "list_offsets"))]

    assert reads(1) == reads(200)
    # and none without a delete
    cluster = MemoryCluster()
    cluster.add_topic("orders.keep", 1, 3)
    cluster.requests.clear()
    plan(CAT, cluster, allow_delete=True)
    assert not [r for r in cluster.requests if r.startswith(("list_consumer", "list_offsets"))]


def test_the_renderers_show_the_evidence_next_to_the_action() -> None:
    doc = plan(CAT, _cluster(), allow_delete=True).to_json()
    buffer = io.StringIO()
    plan_text.render(doc, Console(file=buffer, width=200, color_system=None))
    text = buffer.getvalue()
    assert "billing-consumer (lag 3)" in text and "no consumer group has committed" in text
    markdown = plan_markdown.render(doc).replace("\\", "")  # its escapes of Markdown's punctuation
    assert "billing-consumer (lag 3)" in markdown and "no consumer group has committed" in markdown
    assert "billing-consumer (lag 3)" in json.dumps(doc)


def test_a_saved_plan_stays_current_while_lag_moves_and_keeps_its_options() -> None:
    cluster = _cluster()
    saved = plan(CAT, cluster, allow_delete=True, allow_delete_active=True)
    cluster.produce("orders.busy", 5, 0, at_ms=_now())  # lag moves: only the evidence note changes
    fresh = plan(CAT, cluster, allow_delete=True, allow_delete_active=True)
    assert fresh.fingerprint == saved.fingerprint
    again = plan_from_json(json.loads(json.dumps(saved.to_json())))
    assert again.allow_delete_active
    assert again.fingerprint == plan_fingerprint(
        again.environment,
        again.allow_delete,
        again.scope,
        again.state_digest,
        again.entries,
        again.scoped,
        True,
    )
    # the same plan without the option is another plan
    assert plan(CAT, cluster, allow_delete=True).fingerprint != saved.fingerprint


# -- from the files and commands: kgov.yaml's ownership.active_within, plan's exit, a saved plan ------


def _files(tmp_path: Path, **ownership: Any) -> Path:
    return write_catalog(
        tmp_path / "cat",
        {"orders": [topic_doc("orders.keep")]},
        ownership={"protected": ["__*", "_*"], "delete": True, **ownership},
    )


def test_active_within_is_read_from_kgov_yaml(tmp_path: Path) -> None:
    assert load_catalog(_files(tmp_path)).catalog.settings.ownership.active_within_ms == 7 * DAY
    assert (
        load_catalog(_files(tmp_path, active_within="36h")).catalog.settings.ownership.active_within_ms
        == 36 * HOUR
    )


def test_a_bad_active_within_is_a_positioned_error(tmp_path: Path) -> None:
    cat = _files(tmp_path, active_within="soon")
    found = [d for d in load_catalog(cat).diagnostics if "active_within" in d.message]
    assert len(found) == 1 and found[0].is_error
    line = found[0].location.line
    assert "active_within" in (cat / "kgov.yaml").read_text().splitlines()[line - 1]
    with pytest.raises(KgovError) as bad:  # plan stops before it reads anything
        run_plan(cat, "local", backends=Backends(kafka=_cluster()))
    assert bad.value.exit_code == 1


def test_plan_exits_1_on_an_active_delete_and_a_saved_plan_needs_the_flag_again(tmp_path: Path) -> None:
    cat = _files(tmp_path)
    cluster = _cluster()
    blocked = tmp_path / "blocked.json"
    assert run_plan(cat, "local", out=blocked, allow_delete=True, backends=Backends(kafka=cluster)) == 1
    actions = {e["name"]: e["action"] for e in json.loads(blocked.read_text())["resource_changes"]}
    assert actions == {"orders.busy": "blocked", "orders.idle": "delete"}
    out = tmp_path / "plan.json"
    run_plan(
        cat, "local", out=out, allow_delete=True, allow_delete_active=True, backends=Backends(kafka=cluster)
    )
    with pytest.raises(PlanError, match="allow-delete-active"):
        run_apply(cat, "local", plan_file=out, allow_delete=True, backends=Backends(kafka=cluster))
    assert "orders.busy" in cluster.topics  # nothing applied
    cluster.produce("orders.busy", 3, 0, at_ms=_now())  # lag moves: the saved plan is still current
    code = run_apply(
        cat,
        "local",
        plan_file=out,
        allow_delete=True,
        allow_delete_active=True,
        backends=Backends(kafka=cluster),
    )
    assert code == 0 and "orders.busy" not in cluster.topics


def test_bytes_on_disk_come_from_the_replica_port_in_one_request_per_broker() -> None:
    from kgov.cluster.memory.replicas import MemoryReplicas
    from kgov.engine.make import make_plan

    def run(deleted: int) -> tuple[Plan, list[str]]:
        cluster = MemoryCluster()
        port = MemoryReplicas({1: None, 2: None, 3: None})
        cluster.add_topic("orders.keep", 1, 3)
        port.add_topic("orders.keep", [[1, 2, 3]], size=1)
        for i in range(deleted):
            cluster.add_topic(f"orders.gone{i}", 2, 3)
            port.add_topic(f"orders.gone{i}", [[1, 2, 3], [2, 3, 1]], size=1024 * 1024)
        port.requests.clear()
        p = make_plan(CAT, "test", Backends(kafka=cluster, reassign=port), allow_delete=True)
        return p, [r for r in port.requests if r == "describe_log_dirs"]

    p, asked = run(1)
    gone = _entry(p, "orders.gone0")
    assert any("6.0 MiB on disk" in n for n in gone["notes"])  # type: ignore[attr-defined]  # 2 partitions x 3 replicas
    assert asked == run(50)[1] == ["describe_log_dirs"] * 3


def test_a_hostile_group_name_is_escaped_in_every_format() -> None:
    cluster = _cluster()
    cluster.commit("\x1b[31m<b>evil</b>\n| x |", "orders.busy", 0, 1)
    doc = plan(CAT, cluster, allow_delete=True).to_json()
    buffer = io.StringIO()
    plan_text.render(doc, Console(file=buffer, width=200, color_system=None))
    assert "\x1b" not in buffer.getvalue() and "evil" in buffer.getvalue()
    markdown = plan_markdown.render(doc)
    assert "\x1b" not in markdown and "<b>evil" not in markdown and "\n| x |" not in markdown
