"""The replica kind on the in-memory twins: plan (reassign entries, blocked reasons, in progress,
request counts constant in the number of topics), apply (throttle set and removed, one submit, the
wait with progress, Ctrl-C, --no-wait, a broker whose throttle cannot be removed) and the engine's
plan and renderers with a `reassign` entry (issue 20, points 1-3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog, Environment, Settings, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.replica_port import BROKER_THROTTLES, TOPIC_THROTTLES
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.errors import ClusterError, PlanError
from kgov.kinds import KINDS
from kgov.kinds.base import ApplyOptions, Backends, DiffContext
from kgov.kinds.rates import RateError, about, parse_rate
from kgov.kinds.replicas import ReplicaKind
from kgov.kinds.replicas import apply as replica_apply
from kgov.plan.model import Entry
from kgov.render.plan_markdown import render as render_markdown
from kgov.render.plan_text import render as render_text
from tests.support import kgov, topic_doc, write_catalog

KIND = ReplicaKind()
SRC = Source("kgov.yaml", YamlDoc({}, {}))
CTX = DiffContext(Environment(SRC, (), name="test"), Settings(SRC, ()), allow_delete=False)
CATALOG = Catalog(Path("."), Settings(SRC, ()))
MB = 2**20


def _cluster(topics: int = 2, partitions: int = 6, rf: int = 1, size: int = 10 * MB) -> MemoryReplicas:
    port = MemoryReplicas({1: "r0", 2: "r1", 3: "r2"})
    for t in range(topics):
        brokers = [1, 2, 3]
        port.add_topic(
            f"orders.t{t}",
            [[brokers[(p + i) % 3] for i in range(rf)] for p in range(partitions)],
            size=size,
        )
    return port


def _plan(port: MemoryReplicas, desired: dict[str, int]) -> tuple[list[Entry], list[str]]:
    scope = KIND.scope(desired, CATALOG)
    return KIND.diff(desired, KIND.observe(port, scope), CTX)


class Completing(MemoryReplicas):
    """A cluster that copies data while apply waits: each listing moves every reassignment on by
    half its size, and a reassignment listed with all its bytes completes."""

    def list_partition_reassignments(self, partitions: Any = None) -> Any:
        found = super().list_partition_reassignments(partitions)
        for r in found:
            p = self.partitions[(r.topic, r.partition)]
            held = max(p.copied.values(), default=0)
            if held >= p.size:
                self.complete((r.topic, r.partition))
            else:
                self.progress((r.topic, r.partition), held + p.size // 2)
        return found


def _completing(topics: int = 2) -> Completing:
    port = Completing({1: "r0", 2: "r1", 3: "r2"})
    for t in range(topics):
        port.add_topic(f"orders.t{t}", [[1 + (p % 3)] for p in range(6)], size=10 * MB)
    return port


# -- plan ----------------------------------------------------------------------------------------
def test_rf_1_to_3_is_a_reassign_entry_with_three_distinct_brokers_per_partition() -> None:
    entries, warnings = _plan(_cluster(), {"orders.t0": 3, "orders.t1": 3})
    assert [(e.address, e.action) for e in entries] == [
        ("replicas.orders.t0", "reassign"),
        ("replicas.orders.t1", "reassign"),
    ]
    assert warnings == []
    for e in entries:
        assert e.before["replication_factor"] == 1 and e.after["replication_factor"] == 3
        for p, target in e.after["partitions"].items():
            assert len(set(target)) == 3
            assert target[0] == e.before["partitions"][p][0]  # the preferred leader stays
        assert e.changes[0].field == "replication_factor"
        assert [c.field for c in e.changes[1:]] == [f"partition.{p}" for p in range(6)]
        assert "Copies 120.0 MiB to 12 new replica(s)" in e.notes[0]
        assert "at the default throttle of 50.0 MiB/s" in e.notes[0]


def test_a_topic_at_its_factor_or_missing_gets_no_entry() -> None:
    entries, _ = _plan(_cluster(rf=3), {"orders.t0": 3, "orders.new": 3})
    assert entries == []


def test_more_replicas_than_live_brokers_is_blocked_with_the_reason() -> None:
    (entry,), _ = _plan(_cluster(topics=1), {"orders.t0": 4})
    assert entry.action == "blocked"
    assert "needs 4 live brokers; the cluster has 3" in (entry.reason or "")
    assert entry.hint


def test_a_decrease_below_min_insync_replicas_is_blocked() -> None:
    port = _cluster(topics=1, rf=3)
    port.topic_config["orders.t0"] = {"min.insync.replicas": "2"}
    (entry,), _ = _plan(port, {"orders.t0": 1})
    assert entry.action == "blocked"
    assert "min.insync.replicas" in (entry.reason or "")


def test_a_decrease_drops_replicas_and_keeps_the_leader() -> None:
    (entry,), _ = _plan(_cluster(topics=1, rf=3), {"orders.t0": 2})
    assert entry.action == "reassign"
    for p, target in entry.after["partitions"].items():
        current = entry.before["partitions"][p]
        assert len(target) == 2 and set(target) <= set(current) and target[0] == current[0]
    assert "Copies 0 B to 0 new replica(s)" in entry.notes[0]


def test_a_reassignment_in_progress_is_shown_and_never_submitted_again() -> None:
    port = _cluster(topics=1)
    port.alter_partition_reassignments({("orders.t0", 0): [1, 2, 3]})
    port.progress(("orders.t0", 0), 4 * MB)
    (entry,), _ = _plan(port, {"orders.t0": 3})
    assert entry.action == "blocked"  # the other partitions are still at RF 1: its target is not RF 3
    assert "in progress" in (entry.reason or "") and "never starts a second" in (entry.reason or "")
    port.alter_partition_reassignments(
        {("orders.t0", p): [1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3] for p in range(1, 6)}
    )
    (entry,), _ = _plan(port, {"orders.t0": 3})
    assert entry.action == "reassign"
    assert all(c.detail == "in_progress" for c in entry.changes)
    # Kafka lists a moving partition's whole set; the factor it had leaves out the replicas being added
    assert (entry.changes[0].before, entry.changes[0].after) == (1, 3)
    assert (
        "a reassignment is in progress (6 partition(s) still moving, 8.0 MiB of 120.0 MiB copied)"
        in entry.notes[0]
    )


def test_someone_elses_move_at_the_same_factor_is_a_warning_only() -> None:
    port = _cluster(topics=1)
    port.alter_partition_reassignments({("orders.t0", 0): [2]})
    entries, warnings = _plan(port, {"orders.t0": 1})
    assert entries == []
    assert warnings == ["topic orders.t0 has a reassignment in progress that kgov did not plan; left alone"]


@pytest.mark.parametrize("changing", [True, False])
def test_plan_requests_do_not_grow_with_the_number_of_topics(changing: bool) -> None:
    def requests(topics: int) -> list[str]:
        port = _cluster(topics=topics)
        port.requests.clear()
        _plan(port, {f"orders.t{t}": 3 if changing else 1 for t in range(topics)})
        return port.requests

    assert requests(3) == requests(60)
    # brokers, metadata, reassignments; then kgov's rights (cluster, topics batched), min.insync
    # (batched) and one log-dir read a broker, asked of the brokers already read (no second
    # describe_cluster); and, for a throttle left behind, the topics' configs, batched (in a real plan
    # the topic kind's read of the same configs answers it: kgov/engine/reads.py) and, as nothing
    # moves, each of the 3 brokers' configs
    few = ["describe_cluster", "metadata", "list_partition_reassignments"]
    assert requests(60)[:3] == few
    assert requests(60).count("describe_cluster") == (2 if changing else 1)  # + kgov's rights
    assert requests(60).count("describe_configs") == (5 if changing else 4)  # + min.insync
    assert len(requests(60)) == (13 if changing else 7)


def test_a_plan_that_changes_no_factor_does_not_depend_on_the_brokers() -> None:
    """A broker that dies (and is fenced) after such a plan does not make the saved plan stale."""
    port = _cluster(topics=2)
    scope = KIND.scope({"orders.t0": 1, "orders.t1": 1}, CATALOG)
    before = KIND.state_json(KIND.observe(port, scope))
    port.brokers.pop(3)
    assert KIND.state_json(KIND.observe(port, scope)) == before


# -- apply ---------------------------------------------------------------------------------------
def _apply(port: MemoryReplicas, desired: dict[str, int], **options: Any) -> tuple[dict[str, Any], list[str]]:
    entries, _ = _plan(port, desired)
    lines: list[str] = []
    opts = ApplyOptions(report=lines.append, poll_s=0, **options)
    port.requests.clear()
    return dict(KIND.apply_with(port, entries, opts)), lines


def test_apply_throttles_submits_once_waits_and_removes_the_throttle() -> None:
    port = _completing()
    throttles: list[dict[int, dict[str, str]]] = []
    real = port.alter_partition_reassignments

    def submit(targets: Any) -> Any:  # the throttle is on when the reassignment starts
        throttles.append({b: dict(c) for b, c in port.broker_config.items()})
        assert set(port.topic_config["orders.t0"]) == set(TOPIC_THROTTLES)
        return real(targets)

    port.alter_partition_reassignments = submit  # type: ignore[method-assign]
    outcome, lines = _apply(port, {"orders.t0": 3, "orders.t1": 3}, throttle=20 * MB, elect_leaders=True)
    assert outcome == {"replicas.orders.t0": None, "replicas.orders.t1": None}
    assert throttles == [{b: dict.fromkeys(BROKER_THROTTLES, str(20 * MB)) for b in (1, 2, 3)}]
    assert port.requests.count("alter_partition_reassignments") == 1  # one submit for both topics
    for key in port.partitions:
        assert len(port.replicas(key)) == 3
    assert all(not c for c in port.broker_config.values())  # no throttle left
    assert all(not c for c in port.topic_config.values())
    assert "elect_leaders" in port.requests
    assert any("partition(s) moved;" in line and "copied" in line for line in lines)
    assert lines[-1] == "replication throttle removed"


def test_apply_of_an_in_progress_entry_waits_and_submits_nothing() -> None:
    port = _completing(topics=1)
    port.alter_partition_reassignments(
        {("orders.t0", p): [1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3] for p in range(6)}
    )
    entries, _ = _plan(port, {"orders.t0": 3})
    port.requests.clear()
    outcome = KIND.apply_with(port, entries, ApplyOptions(poll_s=0))
    assert outcome == {"replicas.orders.t0": None}
    assert port.requests.count("alter_partition_reassignments") == 0
    assert all(len(port.replicas(k)) == 3 for k in port.partitions)
    assert all(not c for c in port.broker_config.values())


def test_no_wait_starts_and_leaves_the_throttle_for_the_next_apply() -> None:
    port = _cluster(topics=1)
    outcome, lines = _apply(port, {"orders.t0": 3}, wait=False)
    assert outcome == {"replicas.orders.t0": None}
    assert len(port.list_partition_reassignments()) == 6
    assert all(port.broker_config[b] for b in (1, 2, 3))
    assert any("--no-wait" in line and "kgov apply" in line for line in lines)


def test_ctrl_c_while_waiting_keeps_the_throttle_the_reassignments_still_need() -> None:
    """Issue 20: Ctrl-C leaves the reassignment running and removes nothing still needed; the next
    apply waits for it and then removes the throttle."""
    port = _completing(topics=1)
    entries, _ = _plan(port, {"orders.t0": 3})
    lines: list[str] = []

    def interrupt(line: str) -> None:
        lines.append(line)
        if "copied" in line:  # in the wait
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        KIND.apply_with(port, entries, ApplyOptions(report=interrupt, poll_s=0))
    assert port.partitions and any(p.target is not None for p in port.partitions.values())  # goes on
    assert all(c for c in port.broker_config.values())  # still throttled
    assert port.topic_config["orders.t0"]
    assert any("interrupted" in x and "throttle kept" in x and "run `kgov apply` again" in x for x in lines)

    again, _ = _plan(port, {"orders.t0": 3})  # shown in progress: the next apply waits for it
    assert KIND.apply_with(port, again, ApplyOptions(poll_s=0)) == {"replicas.orders.t0": None}
    assert all(len(port.replicas(k)) == 3 for k in port.partitions)
    assert all(not c for c in port.broker_config.values())
    assert all(not c for c in port.topic_config.values())


def test_a_read_that_fails_while_waiting_is_tried_again_and_the_apply_completes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broker that dies under a read (the listing, the sizes) fails that round only: the
    reassignments go on, and apply sees them end."""
    monkeypatch.setattr(replica_apply, "LIST_S", 0)
    port = _completing(topics=1)
    real = port.list_partition_reassignments
    failures = [2]

    def flaky(partitions: Any = None) -> Any:
        moving = any(p.target is not None for p in port.partitions.values())
        if moving and failures[0]:  # two reads in the wait fail
            failures[0] -= 1
            raise ClusterError("list_partition_reassignments failed at b:1: KafkaConnectionError: x")
        return real(partitions)

    monkeypatch.setattr(port, "list_partition_reassignments", flaky)
    outcome, lines = _apply(port, {"orders.t0": 3})
    assert outcome == {"replicas.orders.t0": None}
    assert sum("reading the reassignments failed" in line for line in lines) == 1  # said once a streak
    assert all(len(port.replicas(k)) == 3 for k in port.partitions)
    assert all(not c for c in port.broker_config.values())


def test_a_cluster_that_stops_answering_ends_the_wait_with_what_did_not_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(replica_apply, "LIST_S", 0)
    monkeypatch.setattr(replica_apply, "STALLED_S", 0.05)
    port = _cluster(topics=1)
    real = port.list_partition_reassignments

    def dies(partitions: Any = None) -> Any:
        if any(p.target is not None for p in port.partitions.values()):  # every read in the wait fails
            raise ClusterError("list_partition_reassignments failed at b:1: KafkaConnectionError: x")
        return real(partitions)

    monkeypatch.setattr(port, "list_partition_reassignments", dies)
    outcome, lines = _apply(port, {"orders.t0": 3})
    error = outcome["replicas.orders.t0"] or ""
    assert error.count("did not finish moving to brokers") == 6  # every partition, by number
    assert any("has not answered" in line and "kgov apply" in line for line in lines)
    assert all(not c for c in port.broker_config.values())  # the throttle is removed all the same


def test_ctrl_c_before_anything_started_removes_the_throttle() -> None:
    port = _cluster(topics=1)
    entries, _ = _plan(port, {"orders.t0": 3})

    def interrupt(line: str) -> None:
        if line.startswith("replication throttle set"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        KIND.apply_with(port, entries, ApplyOptions(report=interrupt, poll_s=0))
    assert port.list_partition_reassignments() == []
    assert all(not c for c in port.broker_config.values())
    assert all(not c for c in port.topic_config.values())


def test_a_throttle_that_cannot_be_removed_fails_the_entry_and_says_what_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = _completing(topics=1)
    real = port.alter_broker_configs

    def refuse_removal(ops: Any) -> Any:
        if all(op.value is None for changes in ops.values() for op in changes):
            port.refuse_configs.add(3)
        return real(ops)

    monkeypatch.setattr(port, "alter_broker_configs", refuse_removal)
    outcome, _ = _apply(port, {"orders.t0": 3})
    error = outcome["replicas.orders.t0"] or ""
    assert "the replication throttle is left on broker 3" in error
    assert "the next `kgov apply`" in error
    assert not port.broker_config[1] and not port.broker_config[2]


def test_a_topic_throttle_whose_removal_times_out_once_is_removed_on_the_second_try(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A topic's config request goes to a broker the client picks; right after a broker died that
    may be the dead one. The second try goes elsewhere: no throttle left that kgov could remove."""
    monkeypatch.setattr(replica_apply, "UNTHROTTLE_RETRY_S", 0)
    port = _completing(topics=2)
    real = port.alter_topic_configs
    timeouts = [1]
    removals: list[list[str]] = []

    def once(ops: Any) -> Any:
        removing = all(op.value is None for changes in ops.values() for op in changes)
        if removing:
            removals.append(sorted(ops))
        if removing and timeouts[0]:
            timeouts[0] -= 1
            done = real({t: changes for t, changes in ops.items() if t != "orders.t1"})
            return {**done, "orders.t1": "_TIMED_OUT: Local: Timed out"}
        return real(ops)

    monkeypatch.setattr(port, "alter_topic_configs", once)
    outcome, _ = _apply(port, {"orders.t0": 3, "orders.t1": 3})
    assert outcome == {"replicas.orders.t0": None, "replicas.orders.t1": None}
    assert all(not c for c in port.topic_config.values())
    assert removals == [["orders.t0", "orders.t1"], ["orders.t1"]]


def test_a_broker_that_refuses_the_throttle_starts_nothing() -> None:
    port = _cluster(topics=1)
    port.refuse_configs.add(2)
    outcome, _ = _apply(port, {"orders.t0": 3})
    assert "could not be set" in (outcome["replicas.orders.t0"] or "")
    assert port.list_partition_reassignments() == []


# -- the engine, the renderers, the command line -------------------------------------------------
def test_make_plan_counts_reassign_as_a_change_and_renders_it(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.t0", 6)]})
    doc = (
        (root / "topics" / "orders.yaml")
        .read_text()
        .replace("replication_factor: 1", "replication_factor: 3")
    )
    (root / "topics" / "orders.yaml").write_text(doc)
    catalog = load_catalog(root).catalog
    kafka = MemoryCluster()
    kafka.add_topic("orders.t0", 6, 1)
    port = _cluster(topics=1)
    plan = make_plan(catalog, "local", Backends(kafka=kafka, reassign=port), allow_delete=False, kinds=KINDS)
    assert [(e.address, e.action) for e in plan.entries] == [("replicas.orders.t0", "reassign")]
    assert plan.summary["replicas"].update == 1 and plan.totals()["update"] == 1
    console = Console(record=True, width=200)
    render_text(plan.to_json(), console)
    text = console.export_text()
    assert "~ replicas orders.t0" in text and "Plan: 0 to create, 1 to change, 0 to delete." in text
    assert "partition.0" in text
    assert "🔁 reassign replicas" in render_markdown(plan.to_json())
    results = apply_plan(plan, Backends(kafka=kafka, reassign=port), options=ApplyOptions(wait=False))
    assert [r.ok for r in results] == [True]


@pytest.mark.parametrize(
    ("text", "rate"),
    [("50MiB/s", 50 * MB), ("20MB/s", 20_000_000), ("1048576", MB), ("1.5 GiB", int(1.5 * 2**30))],
)
def test_throttle_rates_parse(text: str, rate: int) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "50 MiB/min", "0", "-5", "", "9" * 30])
def test_a_throttle_that_does_not_parse_is_refused(text: str) -> None:
    with pytest.raises(RateError):
        parse_rate(text)


def test_apply_refuses_a_bad_throttle_before_reading_anything(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.t0")]})
    result = kgov("apply", "--env", "local", "--catalog", str(root), "--throttle", "fast", "--auto-approve")
    assert result.code == 1
    assert "cannot read the throttle 'fast'" in result.stderr and "Traceback" not in result.output


def test_preferred_leaders_are_balanced_by_reordering_the_targets() -> None:
    port = MemoryReplicas({1: None, 2: None, 3: None})
    port.add_topic("orders.skewed", [[1]] * 6, size=MB)  # every partition led by broker 1
    (entry,), _ = _plan(port, {"orders.skewed": 3})
    leaders = [target[0] for target in entry.after["partitions"].values()]
    assert sorted(leaders.count(b) for b in (1, 2, 3)) == [2, 2, 2]
    assert all(sorted(t) == [1, 2, 3] for t in entry.after["partitions"].values())


def test_a_plan_from_a_snapshot_equals_the_live_plan_also_for_a_changed_catalog() -> None:
    port = _cluster(topics=3)
    port.topic_config["orders.t1"] = {"min.insync.replicas": "1"}
    taken = KIND.snapshot_scope(KIND.scope({"orders.t0": 1, "orders.t1": 1, "orders.t2": 1}, CATALOG))
    saved = json.loads(json.dumps(KIND.snapshot_state(port, taken)))  # as the file holds it
    for desired in ({"orders.t0": 1, "orders.t1": 1}, {"orders.t0": 3, "orders.t2": 2}):
        scope = KIND.scope(desired, CATALOG)
        live = KIND.observe(port, scope)
        offline = KIND.from_snapshot(taken, saved, scope)
        assert KIND.state_json(offline) == KIND.state_json(live)
        assert KIND.diff(desired, offline, CTX) == KIND.diff(desired, live, CTX)
    with pytest.raises(PlanError, match=r"the snapshot has no sizes of topic orders\.t1"):
        KIND.from_snapshot(
            KIND.scope({"orders.t0": 1}, CATALOG),
            saved | {"scope": ["orders.t0"]},
            KIND.scope({"orders.t1": 3}, CATALOG),
        )


def test_without_describe_on_the_cluster_only_a_factor_change_is_blocked() -> None:
    port = _cluster(topics=2)
    port.refuse_describe = True
    assert _plan(port, {"orders.t0": 1, "orders.t1": 1}) == ([], [])  # nothing changes: no error
    (entry,), _ = _plan(port, {"orders.t0": 3, "orders.t1": 1})
    assert entry.action == "blocked" and "may not DESCRIBE the cluster" in (entry.reason or "")
    assert "describe_log_dirs" not in port.requests


def test_an_estimate_reads_as_words() -> None:
    assert about(0.4) == "under 1 s"  # never "about under 1 s"
    assert about(90).startswith("about ") and about(90) != "about under 1 s"
