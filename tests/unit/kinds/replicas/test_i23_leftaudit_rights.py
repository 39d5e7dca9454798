"""The rights a throttle left behind needs to be removed (kgov/kinds/replicas/leftover.py), on the
twin: ALTER_CONFIGS on the topic for its throttled replicas, on the cluster for a broker's rate. A
removal kgov's principal lacks the right for is not planned: a warning names it with a hint (the
catalog never asked for it, so it must not fail the plan); apply
reads the rights again and removes nothing when one is missing (before, it removed the rest and
failed on that one: half-done); the rights are read only when a throttle is left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.commands.apply import run_apply
from kgov.engine.make import make_plan
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.render.plan_markdown import render as render_markdown
from kgov.render.plan_text import render as render_text
from tests.support import topic_doc, write_catalog
from tests.unit.kinds.replicas.test_replica_kind import CATALOG, CTX, KIND, _cluster
from tests.unit.kinds.replicas.test_replica_leftover_throttle import (
    LEFT,
    RATES,
    _apply,
    _left_behind,
    _plan,
    _rates,
    _throttle_of,
)

TOPIC_RIGHT = "ALTER_CONFIGS on topic orders.t0 (IncrementalAlterConfigs: removing"
CLUSTER_RIGHT = "ALTER_CONFIGS on the cluster (IncrementalAlterConfigs: removing the broker's"
BROKERS = ["replicas.broker:1", "replicas.broker:2", "replicas.broker:3"]
DESIRED = {"orders.t0": 1, "orders.t1": 1}


def _deny_topic(port: MemoryReplicas) -> None:
    port.topic_denied["orders.t0"] = {"ALTER_CONFIGS"}


def _deny_cluster(port: MemoryReplicas) -> None:
    port.cluster_rights.discard("ALTER_CONFIGS")


def _untouched(port: MemoryReplicas) -> None:
    assert _throttle_of(port, "orders.t0") == LEFT
    assert _rates(port) == {b: RATES for b in (1, 2, 3)}


def _warned(port: MemoryReplicas) -> tuple[dict[str, object], list[str]]:
    entries, warnings = KIND.diff(DESIRED, KIND.observe(port, KIND.scope(DESIRED, CATALOG)), CTX)
    return {e.address: e for e in entries}, warnings


def test_a_topic_kgov_may_not_alter_the_configs_of_is_warned_about_not_planned() -> None:
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0")
    _deny_topic(port)
    by, warnings = _warned(port)
    assert sorted(by) == BROKERS  # the cluster's right is there: the rates are removed
    (warning,) = [w for w in warnings if "orders.t0" in w]
    assert warning.startswith("the replication throttle left on topic orders.t0 (")
    assert "is not removed: kgov's principal lacks " + TOPIC_RIGHT in warning
    assert "grant kgov's principal ALTER_CONFIGS on topic orders.t0" in warning
    assert "--entity-type topics --entity-name orders.t0 --alter --delete-config" in warning


def test_a_broker_rate_kgov_may_not_alter_is_warned_about_not_planned() -> None:
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0")
    _deny_cluster(port)
    by, warnings = _warned(port)
    assert list(by) == ["replicas.orders.t0"]  # the topic's right is there
    rates = [w for w in warnings if "broker" in w.split(" (", 1)[0]]
    assert len(rates) == 3
    for broker, warning in zip((1, 2, 3), rates, strict=True):
        assert warning.startswith(f"the replication throttle left on broker {broker} (")
        assert CLUSTER_RIGHT in warning
        assert "grant kgov's principal ALTER_CONFIGS on cluster kafka-cluster" in warning
        assert f"--entity-type brokers --entity-name {broker} --alter" in warning


@pytest.mark.parametrize("deny", [_deny_topic, _deny_cluster])
def test_apply_reads_the_rights_again_and_removes_nothing(deny: object) -> None:
    """Planned with every right, applied after one was taken away: before, apply removed what it
    could and failed on the rest (half-done); now it refuses every entry before any write."""
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0")
    entries = _plan(port, DESIRED)
    assert {e.action for e in entries} == {"update"}
    deny(port)  # type: ignore[operator]
    port.requests.clear()
    outcome, lines = _apply(port, entries)
    assert set(outcome) == {e.address for e in entries}
    assert all(error and "kgov's principal lacks ALTER_CONFIGS on " in error for error in outcome.values())
    assert all("the throttle was left as it is" in (error or "") for error in outcome.values())
    assert "incremental_alter_configs" not in port.requests
    assert port.requests.count("describe_cluster") == 1  # the rights, read once
    assert lines == []
    _untouched(port)


def test_no_throttle_left_reads_no_rights() -> None:
    port = _cluster(topics=2)
    port.requests.clear()
    assert _plan(port, DESIRED) == []
    assert "describe_topics" not in port.requests
    assert port.requests.count("describe_cluster") == 1  # the brokers' read, not the rights


def test_the_rights_read_for_leftovers_is_one_and_does_not_grow_with_the_topics() -> None:
    def requests(topics: int) -> list[str]:
        port = _cluster(topics=topics)
        _left_behind(port, *(f"orders.t{t}" for t in range(topics)))
        port.requests.clear()
        entries = _plan(port, {f"orders.t{t}": 1 for t in range(topics)})
        assert len(entries) == topics + 3
        return list(port.requests)

    few, many = requests(2), requests(60)
    assert few == many
    assert many.count("describe_cluster") == 2 and many.count("describe_topics") == 1


def test_a_broker_rate_alone_reads_the_clusters_rights_only() -> None:
    port = _cluster(topics=1)
    port.broker_config[2] = dict(RATES)
    _deny_cluster(port)
    port.requests.clear()
    entries, warnings = KIND.diff(
        {"orders.t0": 1}, KIND.observe(port, KIND.scope({"orders.t0": 1}, CATALOG)), CTX
    )
    assert entries == [] and len(warnings) == 1 and "broker 2" in warnings[0]
    assert "describe_topics" not in port.requests


def test_a_missing_right_is_in_the_fingerprint_and_in_a_snapshot() -> None:
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0")
    scope = KIND.scope(DESIRED, CATALOG)
    granted = KIND.state_json(KIND.observe(port, scope))
    assert "lacking" not in granted
    _deny_topic(port)
    _deny_cluster(port)
    denied = KIND.state_json(KIND.observe(port, scope))
    assert set(denied["lacking"]) == {"orders.t0", "broker:rates"}
    assert TOPIC_RIGHT in denied["lacking"]["orders.t0"][0]
    taken = KIND.snapshot_state(port, KIND.snapshot_scope(scope))
    from_snapshot = KIND.from_snapshot({}, json.loads(json.dumps(taken)), scope)
    assert KIND.state_json(from_snapshot) == denied
    assert KIND.diff(DESIRED, from_snapshot, CTX) == KIND.diff(DESIRED, KIND.observe(port, scope), CTX)


# -- through the engine: the plan's renderings, kgov apply refuses it --------------------------------
def test_the_warning_in_text_json_markdown_and_apply_removes_only_what_it_may(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.t0", 6)]})
    kafka = MemoryCluster()
    kafka.add_topic("orders.t0", 6, 1)
    port = _cluster(topics=1)
    _left_behind(port, "orders.t0")
    _deny_topic(port)
    backends = Backends(kafka=kafka, reassign=port)
    plan = make_plan(load_catalog(root).catalog, "local", backends, allow_delete=False, kinds=KINDS)
    doc = plan.to_json()
    assert not plan.blocked
    assert [c["address"] for c in doc["resource_changes"]] == BROKERS  # the topic's is not planned
    (warning,) = [w for w in doc["warnings"] if "orders.t0" in w]
    assert TOPIC_RIGHT in warning and "kafka-configs.sh" in warning
    console = Console(record=True, width=400)
    render_text(doc, console)
    text = console.export_text()
    assert "replication throttle left on topic orders.t0" in text and "lacks ALTER_CONFIGS on topic" in text
    assert "ALTER\\_CONFIGS on topic orders\\.t0" in render_markdown(doc)
    run_apply(root, "local", auto_approve=True, backends=backends)  # no error: exit 0
    assert _throttle_of(port, "orders.t0") == LEFT  # left, as the warning said
    assert all(not left for left in _rates(port).values())  # the rates kgov may remove are gone
