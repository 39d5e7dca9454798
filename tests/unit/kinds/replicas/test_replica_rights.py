"""kgov checks its rights before a replication-factor change (issue 20, point 5), on the twin: a
change kgov's principal lacks ALTER on the cluster (reassignments, leader elections),
ALTER_CONFIGS on the cluster (the brokers' throttle rates) or ALTER_CONFIGS on the topic (its
throttled replicas) for is blocked in the plan, naming the right; apply reads the rights again and
starts nothing when one is missing; the reads are a fixed number of requests."""

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
from kgov.errors import PlanError
from kgov.kinds import KINDS
from kgov.kinds.base import ApplyOptions, Backends
from kgov.render.plan_markdown import render as render_markdown
from kgov.render.plan_text import render as render_text
from tests.support import topic_doc, write_catalog
from tests.unit.kinds.replicas.test_replica_kind import CATALOG, CTX, KIND, _cluster, _completing, _plan

ALTER = "ALTER on the cluster (AlterPartitionReassignments, ElectLeaders)"
RATES = "ALTER_CONFIGS on the cluster (IncrementalAlterConfigs: the brokers' leader/follower"
REPLICAS = "ALTER_CONFIGS on topic orders.t0 (IncrementalAlterConfigs: leader/follower"

# each missing right: how a test takes it away, and the words that name it
MISSING = {
    "alter-cluster": (lambda port: port.cluster_rights.discard("ALTER"), ALTER),
    "alter-configs-cluster": (lambda port: port.cluster_rights.discard("ALTER_CONFIGS"), RATES),
    "alter-configs-topic": (
        lambda port: port.topic_denied.update({"orders.t0": {"ALTER_CONFIGS"}}),
        REPLICAS,
    ),
}
CASES = pytest.mark.parametrize("missing", sorted(MISSING))


def _take(port: MemoryReplicas, missing: str) -> str:
    take, says = MISSING[missing]
    take(port)
    return says


def _nothing_started(port: MemoryReplicas) -> None:
    assert port.list_partition_reassignments() == []
    assert all(not c for c in port.broker_config.values())
    assert all(not c for c in port.topic_config.values())
    assert all(len(port.replicas(k)) == 1 for k in port.partitions)


@CASES
def test_a_change_kgov_lacks_a_right_for_is_blocked_naming_it(missing: str) -> None:
    port = _cluster(topics=2)
    says = _take(port, missing)
    entries, _ = _plan(port, {"orders.t0": 3, "orders.t1": 3})
    by_name = {e.name: e for e in entries}
    blocked = by_name["orders.t0"]
    assert blocked.action == "blocked"
    assert says in (blocked.reason or "") and blocked.reason.startswith("kgov's principal lacks ")
    assert "grant kgov's principal" in (blocked.hint or "")
    assert [(c.field, c.before, c.after, c.blocked) for c in blocked.changes] == [
        ("replication_factor", 1, 3, True)
    ]
    # a right on the cluster blocks every change; one on a topic only that topic's
    assert by_name["orders.t1"].action == ("reassign" if missing == "alter-configs-topic" else "blocked")


def test_every_missing_right_is_named_at_once() -> None:
    port = _cluster(topics=1)
    for name in MISSING:
        _take(port, name)
    (entry,), _ = _plan(port, {"orders.t0": 3})
    assert all(says in (entry.reason or "") for _, says in MISSING.values())
    grants = "ALTER on cluster kafka-cluster, ALTER_CONFIGS on cluster kafka-cluster, ALTER_CONFIGS on topic"
    assert grants in (entry.hint or "")


def test_a_plan_that_changes_no_factor_reads_no_rights_and_blocks_nothing() -> None:
    port = _cluster(topics=2)
    for name in MISSING:
        _take(port, name)
    port.requests.clear()
    assert _plan(port, {"orders.t0": 1, "orders.t1": 1}) == ([], [])
    # the configs (the topics', each broker's): a throttle left behind (kgov/kinds/replicas/leftover.py);
    # no rights read
    few = ["describe_cluster", "metadata", "list_partition_reassignments"]
    assert port.requests == [*few, *["describe_configs"] * 4]


@pytest.mark.parametrize("missing", [None, *sorted(MISSING)])
def test_the_rights_read_does_not_grow_with_the_number_of_topics(missing: str | None) -> None:
    def requests(topics: int) -> tuple[list[str], list[str]]:
        port = _cluster(topics=topics)
        desired = {f"orders.t{t}": 3 for t in range(topics)}
        entries, _ = _plan(port, desired)  # planned with every right
        if missing is not None:
            _take(port, missing)
        port.requests.clear()
        _plan(port, desired)
        planned = list(port.requests)
        port.requests.clear()
        KIND.apply_with(port, entries, ApplyOptions(wait=False))
        return planned, list(port.requests)

    assert requests(3) == requests(60)
    planned, applied = requests(60)
    assert planned.count("describe_topics") == 1 and applied.count("describe_topics") == 1


@CASES
def test_apply_reads_the_rights_again_and_starts_nothing(missing: str) -> None:
    """A plan made while kgov had every right, applied after one was taken away: refused before the
    first write (without the check, apply set the throttle and failed midway)."""
    port = _cluster(topics=2)
    entries, _ = _plan(port, {"orders.t0": 3, "orders.t1": 3})
    assert {e.action for e in entries} == {"reassign"}
    says = _take(port, missing)
    port.requests.clear()
    lines: list[str] = []
    outcome = KIND.apply_with(port, entries, ApplyOptions(report=lines.append, poll_s=0))
    error = outcome["replicas.orders.t0"] or ""
    assert says in error and error.endswith("nothing was started")
    other = outcome["replicas.orders.t1"] or ""  # refused too (its own right, or orders.t0's), saying why
    assert "nothing was started" in other and says in other
    assert not {"alter_partition_reassignments", "incremental_alter_configs", "elect_leaders"} & set(
        port.requests
    )
    assert lines == []
    _nothing_started(port)


def test_waiting_for_a_reassignment_in_progress_needs_the_throttle_rights_only() -> None:
    port = _completing(topics=1)
    port.alter_partition_reassignments(
        {("orders.t0", p): [1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3] for p in range(6)}
    )
    port.cluster_rights.discard("ALTER")
    (entry,), _ = _plan(port, {"orders.t0": 3})
    assert entry.action == "reassign"  # nothing to submit: waits, then removes the throttle
    with_election = KIND.apply_with(port, [entry], ApplyOptions(poll_s=0, elect_leaders=True))
    assert ALTER in (with_election["replicas.orders.t0"] or "")  # an election needs ALTER
    port.topic_denied["orders.t0"] = {"ALTER_CONFIGS"}
    (blocked,), _ = _plan(port, {"orders.t0": 3})
    assert blocked.action == "blocked" and REPLICAS in (blocked.reason or "")
    assert (blocked.changes[0].before, blocked.changes[0].after) == (1, 3)  # the factor it had


def test_a_missing_right_makes_a_saved_plan_stale_an_unrelated_one_does_not() -> None:
    port = _cluster(topics=1)
    scope = KIND.scope({"orders.t0": 3}, CATALOG)
    before = KIND.state_json(KIND.observe(port, scope))
    port.cluster_rights.discard("CREATE")
    assert KIND.state_json(KIND.observe(port, scope)) == before
    port.cluster_rights.discard("ALTER")
    assert KIND.state_json(KIND.observe(port, scope)) != before


def test_a_plan_from_a_snapshot_blocks_as_the_live_plan() -> None:
    port = _cluster(topics=2)
    port.topic_denied["orders.t1"] = {"ALTER_CONFIGS"}
    taken = KIND.snapshot_scope(KIND.scope({"orders.t0": 1, "orders.t1": 1}, CATALOG))
    saved = json.loads(json.dumps(KIND.snapshot_state(port, taken)))
    for desired in ({"orders.t0": 1, "orders.t1": 1}, {"orders.t0": 3, "orders.t1": 3}, {"orders.t1": 2}):
        scope = KIND.scope(desired, CATALOG)
        live = KIND.observe(port, scope)
        offline = KIND.from_snapshot(taken, saved, scope)
        assert KIND.state_json(offline) == KIND.state_json(live)
        assert KIND.diff(desired, offline, CTX) == KIND.diff(desired, live, CTX)


# -- the engine, the renderers, the command ------------------------------------------------------
def _catalog_rf3(tmp_path: Path) -> Path:
    root = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.t0", 6)]})
    path = root / "topics" / "orders.yaml"
    path.write_text(path.read_text().replace("replication_factor: 1", "replication_factor: 3"))
    return root


def _backends() -> tuple[Backends, MemoryReplicas]:
    kafka = MemoryCluster()
    kafka.add_topic("orders.t0", 6, 1)
    port = _cluster(topics=1)
    port.cluster_rights.discard("ALTER")
    return Backends(kafka=kafka, reassign=port), port


def test_the_plan_shows_the_missing_right_in_text_json_and_markdown(tmp_path: Path) -> None:
    root = _catalog_rf3(tmp_path)
    backends, _ = _backends()
    plan = make_plan(load_catalog(root).catalog, "local", backends, allow_delete=False, kinds=KINDS)
    assert [(e.address, e.action) for e in plan.blocked] == [("replicas.orders.t0", "blocked")]
    doc = plan.to_json()
    (change,) = doc["resource_changes"]
    assert ALTER in change["reason"]
    console = Console(record=True, width=300)
    render_text(doc, console)
    assert ALTER in console.export_text()
    markdown = render_markdown(doc)  # escaped for Markdown: its words, not its punctuation
    assert "ALTER on the cluster" in markdown and "AlterPartitionReassignments, ElectLeaders" in markdown


def test_kgov_apply_refuses_the_plan_exits_1_and_changes_nothing(tmp_path: Path) -> None:
    root = _catalog_rf3(tmp_path)
    backends, port = _backends()
    with pytest.raises(PlanError) as refused:
        run_apply(root, "local", auto_approve=True, backends=backends)
    assert "blocked change(s) (replicas.orders.t0); nothing was applied" in refused.value.message
    assert refused.value.exit_code == 1
    _nothing_started(port)
