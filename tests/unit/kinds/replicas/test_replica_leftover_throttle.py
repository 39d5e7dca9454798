"""A replication throttle left behind (kgov/kinds/replicas/leftover.py), on the twin: an apply whose
throttle removal failed and whose reassignment then ended leaves leader/follower.replication.
throttled.replicas on the topic (and the rates on the brokers) with nothing moving and no factor to
change. The replica kind plans their removal (an `update` entry) and apply removes them; a topic
still moving keeps its throttle; protected topics, topics outside the catalog and keys the topic
kind manages are not touched; the plan's fingerprint sees the throttle; text, JSON and Markdown show
the entry. And the plan's ports read the configs once for the topic and the replica kinds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog, Environment, Ownership, Settings, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.replica_port import BROKER_THROTTLES, TOPIC_THROTTLES
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.commands.apply import run_apply
from kgov.engine.make import make_plan
from kgov.engine.reads import ReadOnce
from kgov.errors import ClusterError
from kgov.kinds import KINDS
from kgov.kinds.base import ApplyOptions, Backends, DiffContext
from kgov.kinds.replicas import apply as replica_apply
from kgov.plan.model import Entry
from kgov.render.plan_markdown import render as render_markdown
from kgov.render.plan_text import render as render_text
from tests.support import topic_doc, write_catalog
from tests.unit.kinds.replicas.test_replica_kind import CATALOG, CTX, KIND, _cluster, _completing

LEFT = {TOPIC_THROTTLES[0]: "0:1,1:2", TOPIC_THROTTLES[1]: "0:2,1:3"}
RATES = {k: "10485760" for k in BROKER_THROTTLES}
DEAD = "_TIMED_OUT: the broker did not answer"


def _left_behind(port: MemoryReplicas, *topics: str) -> None:
    """What an apply leaves when removing the throttle failed and the reassignment then ended."""
    for topic in topics:
        port.topic_config.setdefault(topic, {}).update(LEFT)
    for broker in (1, 2, 3):
        port.broker_config.setdefault(broker, {}).update(RATES)


def _plan(
    port: MemoryReplicas, desired: dict[str, int], ctx: DiffContext = CTX, catalog: Catalog = CATALOG
) -> list[Entry]:
    entries, _ = KIND.diff(desired, KIND.observe(port, KIND.scope(desired, catalog)), ctx)
    return entries


def _apply(port: MemoryReplicas, entries: list[Entry]) -> tuple[dict[str, Any], list[str]]:
    lines: list[str] = []
    outcome = KIND.apply_with(port, entries, ApplyOptions(report=lines.append, poll_s=0))
    return dict(outcome), lines


def _throttle_of(port: MemoryReplicas, topic: str) -> dict[str, str]:
    return {k: v for k, v in port.topic_config.get(topic, {}).items() if k in TOPIC_THROTTLES}


def _rates(port: MemoryReplicas) -> dict[int, dict[str, str]]:
    return {b: {k: v for k, v in c.items() if k in BROKER_THROTTLES} for b, c in port.broker_config.items()}


def test_a_throttle_left_with_nothing_moving_is_planned_and_applied_away() -> None:
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0")
    entries = _plan(port, {"orders.t0": 1, "orders.t1": 1})
    assert [(e.address, e.action) for e in entries] == [
        ("replicas.broker:1", "update"),
        ("replicas.broker:2", "update"),
        ("replicas.broker:3", "update"),
        ("replicas.orders.t0", "update"),
    ]
    entry = entries[-1]
    assert [(c.field, c.before, c.after, c.detail) for c in entry.changes] == [
        (f"config.{TOPIC_THROTTLES[1]}", LEFT[TOPIC_THROTTLES[1]], None, "unthrottle"),
        (f"config.{TOPIC_THROTTLES[0]}", LEFT[TOPIC_THROTTLES[0]], None, "unthrottle"),
    ]
    assert entries[0].label == "broker 1"
    assert [c.field for c in entries[0].changes] == [f"config.{k}" for k in sorted(BROKER_THROTTLES)]
    outcome, lines = _apply(port, entries)
    assert outcome == {e.address: None for e in entries}
    assert _throttle_of(port, "orders.t0") == {}
    assert _rates(port) == {1: {}, 2: {}, 3: {}}
    assert any("removed (4 resource(s))" in line for line in lines)
    observed = KIND.observe(port, KIND.scope({"orders.t0": 1}, CATALOG))
    assert all(KIND.visible(e, observed) for e in entries)
    assert _plan(port, {"orders.t0": 1, "orders.t1": 1}) == []  # converged


def test_the_race_of_issue_23_an_interrupted_apply_then_an_ended_reassignment_converges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CI failure, deterministic: removing the throttle fails (broker 3 dead: its rate; the
    controller timing out: the topic's, both tries), then the reassignment ends before the next
    plan. That plan saw no reassignment and no factor to change, and planned nothing: the throttle
    stayed for good although apply's error said the next apply removes it."""
    monkeypatch.setattr(replica_apply, "UNTHROTTLE_RETRY_S", 0)
    port = _completing(topics=1)
    real_brokers, real_topics = port.alter_broker_configs, port.alter_topic_configs

    def brokers(ops: Any) -> Any:
        removing = all(op.value is None for changes in ops.values() for op in changes)
        return {
            **real_brokers({b: o for b, o in ops.items() if b != 3}),
            **({"3": DEAD} if removing else real_brokers({3: ops[3]})),
        }

    def topics(ops: Any) -> Any:
        if all(op.value is None for changes in ops.values() for op in changes):
            return {t: "REQUEST_TIMED_OUT: Timed out waiting for controller" for t in ops}
        return real_topics(ops)

    monkeypatch.setattr(port, "alter_broker_configs", brokers)
    monkeypatch.setattr(port, "alter_topic_configs", topics)
    (reassign,) = _plan(port, {"orders.t0": 3})
    outcome = KIND.apply_with(port, [reassign], ApplyOptions(report=lambda _: None, poll_s=0))
    error = outcome["replicas.orders.t0"] or ""
    assert "left on topic orders.t0" in error and "left on broker 3" in error
    assert "the next `kgov apply` removes it" in error
    monkeypatch.undo()
    assert not port.list_partition_reassignments(None)  # it ended
    assert _throttle_of(port, "orders.t0") and _rates(port)[3]

    entries = _plan(port, {"orders.t0": 3})  # the next apply's plan
    assert [e.address for e in entries] == ["replicas.broker:3", "replicas.orders.t0"]
    outcome, _ = _apply(port, entries)
    assert outcome == {e.address: None for e in entries}
    assert _throttle_of(port, "orders.t0") == {} and _rates(port) == {1: {}, 2: {}, 3: {}}
    assert _plan(port, {"orders.t0": 3}) == []


def test_a_broker_rate_left_alone_is_removed_too() -> None:
    """The topics' throttle was removed, one broker's rate was not (it was down): the next plan."""
    port = _cluster(topics=1)
    port.broker_config[2] = dict(RATES)
    (entry,) = _plan(port, {"orders.t0": 1})
    assert entry.address == "replicas.broker:2"
    assert _apply(port, [entry])[0] == {"replicas.broker:2": None}
    assert _rates(port)[2] == {}


def test_no_throttle_plans_nothing() -> None:
    port = _cluster(topics=2)
    port.topic_config["orders.t0"] = {"retention.ms": "1000"}
    assert _plan(port, {"orders.t0": 1, "orders.t1": 1}) == []


def test_a_topic_still_moving_keeps_its_throttle() -> None:
    """Anyone's reassignment of the topic (here a same-factor move, e.g. kafka-reassign-partitions)
    still needs the throttle: no entry, and nothing is touched."""
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0")
    port.alter_partition_reassignments({("orders.t0", 0): [2]})  # moving, not finished
    assert _plan(port, {"orders.t0": 1, "orders.t1": 1}) == []
    assert _throttle_of(port, "orders.t0") == LEFT


def test_another_topic_moving_keeps_the_broker_rates_and_removes_the_idle_topics_throttle() -> None:
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0", "orders.t1")
    port.alter_partition_reassignments({("orders.t1", 0): [2]})
    (entry,) = _plan(port, {"orders.t0": 1, "orders.t1": 1})  # the rates are not even read
    assert entry.address == "replicas.orders.t0"
    outcome, _ = _apply(port, [entry])
    assert outcome == {"replicas.orders.t0": None}
    assert _throttle_of(port, "orders.t0") == {}
    assert _throttle_of(port, "orders.t1") == LEFT  # still moving: its throttle stays
    assert _rates(port) == {b: RATES for b in (1, 2, 3)}  # the running reassignment needs them


def test_a_reassignment_started_after_the_plan_keeps_the_throttle() -> None:
    port = _cluster(topics=1)
    _left_behind(port, "orders.t0")
    entries = _plan(port, {"orders.t0": 1})
    assert len(entries) == 4
    port.alter_partition_reassignments({("orders.t0", 0): [2]})
    outcome, _ = _apply(port, entries)
    assert all("started after the plan" in (error or "") for error in outcome.values())
    assert _throttle_of(port, "orders.t0") == LEFT
    assert _rates(port) == {b: RATES for b in (1, 2, 3)}


def test_topics_outside_the_catalog_and_protected_ones_are_not_touched() -> None:
    port = _cluster(topics=3)
    port.add_topic("__internal", [[1]])
    _left_behind(port, "orders.t0", "orders.t1", "orders.t2", "__internal")
    src = Source("kgov.yaml", YamlDoc({}, {}))
    settings = Settings(src, (), ownership=Ownership(protected=("orders.t1",)))
    ctx = DiffContext(Environment(src, (), name="test"), settings, allow_delete=False)
    catalog = Catalog(Path("."), settings)
    desired = {"orders.t0": 1, "orders.t1": 1, "__internal": 1}  # orders.t2: not in the catalog
    port.requests.clear()
    entries = _plan(port, desired, ctx, catalog)
    assert [e.address for e in entries if not e.name.startswith("broker:")] == ["replicas.orders.t0"]
    # the protected topics' configs are not even read
    assert KIND.scope(desired, catalog) == {"topics": {"orders.t0": 1}}


def test_a_key_the_topic_kind_manages_is_left_to_it() -> None:
    """ownership.ignore_configs without *.replication.throttled.replicas: the topic kind compares
    those keys with the catalog like any config, so the replica kind plans nothing for them."""
    port = _cluster(topics=1)
    _left_behind(port, "orders.t0")
    src = Source("kgov.yaml", YamlDoc({}, {}))
    settings = Settings(src, (), ownership=Ownership(ignore_configs=("confluent.*", "leader.*")))
    ctx = DiffContext(Environment(src, (), name="test"), settings, allow_delete=False)
    entries = _plan(port, {"orders.t0": 1}, ctx)
    entry = entries[-1]
    assert [c.field for c in entry.changes] == [f"config.{TOPIC_THROTTLES[0]}"]  # the ignored one only
    outcome, _ = _apply(port, [entry])
    assert outcome == {"replicas.orders.t0": None}
    assert _throttle_of(port, "orders.t0") == {TOPIC_THROTTLES[1]: LEFT[TOPIC_THROTTLES[1]]}


def test_a_factor_change_removes_the_leftover_with_its_own_throttle() -> None:
    port = _cluster(topics=1)
    _left_behind(port, "orders.t0")
    (entry,) = _plan(port, {"orders.t0": 2})
    assert entry.action == "reassign"  # one entry per topic: its reassignment unthrottles at the end
    lines: list[str] = []
    real = port.list_partition_reassignments

    def listing(partitions: Any = None) -> Any:
        found = real(partitions)
        port.complete()  # the copy ends at once
        return found

    port.list_partition_reassignments = listing  # type: ignore[method-assign]
    outcome = KIND.apply_with(port, [entry], ApplyOptions(report=lines.append, poll_s=0))
    assert outcome == {"replicas.orders.t0": None}
    assert _throttle_of(port, "orders.t0") == {}


def test_the_throttle_makes_a_saved_plan_stale_and_is_in_a_snapshot() -> None:
    port = _cluster(topics=2)
    desired = {"orders.t0": 1, "orders.t1": 1}
    scope = KIND.scope(desired, CATALOG)
    clean = KIND.state_json(KIND.observe(port, scope))
    assert "throttled" not in clean  # a plan without a throttle keeps its fingerprint
    _left_behind(port, "orders.t0")
    left = KIND.state_json(KIND.observe(port, scope))
    assert left != clean and left["throttled"] == {"orders.t0": dict(sorted(LEFT.items()))}
    assert left["rates"] == {str(b): RATES for b in (1, 2, 3)}
    taken = KIND.snapshot_state(port, KIND.snapshot_scope(scope))
    from_snapshot = KIND.from_snapshot({}, json.loads(json.dumps(taken)), scope)
    assert KIND.diff(desired, from_snapshot, CTX) == KIND.diff(desired, KIND.observe(port, scope), CTX)
    assert KIND.state_json(from_snapshot) == left


def test_a_scoped_plan_checks_the_topics_it_narrows_to() -> None:
    port = _cluster(topics=2)
    _left_behind(port, "orders.t0", "orders.t1")
    scope = KIND.narrow(KIND.scope({"orders.t0": 1, "orders.t1": 1}, CATALOG), ["orders.t1"])
    assert scope == {"topics": {"orders.t1": 1}, "rates": False}
    port.requests.clear()
    entries, _ = KIND.diff({"orders.t1": 1}, KIND.observe(port, scope), CTX)
    # the brokers' rates are a full plan's to find: a scoped plan reads only what the change touches
    assert [e.address for e in entries] == ["replicas.orders.t1"]
    assert port.requests.count("describe_configs") == 1  # the topic's; no broker's (3 brokers)


def test_a_principal_that_may_not_read_broker_configs_still_plans_its_topics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DESCRIBE_CONFIGS on the cluster refused: no rate is seen (kgov could not remove one either),
    and the topics' leftovers are still planned; any other error still stops the plan."""
    port = _cluster(topics=1)
    _left_behind(port, "orders.t0")

    def refused(brokers: object) -> None:
        raise ClusterError("cannot read the configs of broker 1: CLUSTER_AUTHORIZATION_FAILED: no")

    monkeypatch.setattr(port, "broker_configs", refused)
    assert [e.address for e in _plan(port, {"orders.t0": 1})] == ["replicas.orders.t0"]

    def down(brokers: object) -> None:
        raise ClusterError("cannot read the configs of broker 1: _TIMED_OUT")

    monkeypatch.setattr(port, "broker_configs", down)
    with pytest.raises(ClusterError):
        _plan(port, {"orders.t0": 1})


# -- through the engine: the plan's renderings, kgov apply, one configs read -----------------------
def _backends() -> tuple[Backends, MemoryCluster, MemoryReplicas]:
    kafka = MemoryCluster()
    kafka.add_topic("orders.t0", 6, 1)
    port = _cluster(topics=1)
    _left_behind(port, "orders.t0")
    return Backends(kafka=kafka, reassign=port), kafka, port


def test_the_plan_shows_the_cleanup_in_text_json_and_markdown_and_apply_converges(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.t0", 6)]})
    backends, _, port = _backends()
    plan = make_plan(load_catalog(root).catalog, "local", backends, allow_delete=False, kinds=KINDS)
    doc = plan.to_json()
    *rates, change = doc["resource_changes"]
    assert [r["address"] for r in rates] == ["replicas.broker:1", "replicas.broker:2", "replicas.broker:3"]
    assert (change["address"], change["action"]) == ("replicas.orders.t0", "update")
    assert {c["detail"] for c in change["changes"]} == {"unthrottle"}
    assert doc["totals"]["update"] == 4
    console = Console(record=True, width=300)
    render_text(doc, console)
    text = console.export_text()
    assert "~ replicas orders.t0" in text and f"config.{TOPIC_THROTTLES[0]}" in text
    assert "~ replicas broker 1" in text
    markdown = render_markdown(doc)  # escaped for Markdown
    assert "change replicas <code>orders\\.t0</code>" in markdown
    assert "<code>config\\.leader\\.replication\\.throttled\\.replicas</code>" in markdown
    assert run_apply(root, "local", auto_approve=True, backends=backends) == 0
    assert _throttle_of(port, "orders.t0") == {}
    again = make_plan(load_catalog(root).catalog, "local", backends, allow_delete=False, kinds=KINDS)
    assert again.entries == ()


class _Configs:
    """A Kafka port that counts its configs reads, and a replica port reading through it."""

    def __init__(self) -> None:
        self.reads: list[list[str]] = []

    def topic_configs(self, names: Any) -> dict[str, dict[str, str]]:
        self.reads.append(list(names))
        return {n: {"retention.ms": "1"} for n in names}


class _Through:
    def __init__(self, kafka: _Configs) -> None:
        self.kafka = kafka

    def topic_configs(self, names: Any) -> Any:
        return self.kafka.topic_configs(names)


def test_the_plans_ports_read_each_topics_configs_once_for_both_kinds() -> None:
    kafka = _Configs()
    proxies: dict[str, ReadOnce] = {}
    proxies["kafka"] = ReadOnce(kafka, proxies.get)
    proxies["reassign"] = ReadOnce(_Through(kafka), proxies.get)
    assert proxies["reassign"].topic_configs(["a", "b"]) == {
        "a": {"retention.ms": "1"},
        "b": {"retention.ms": "1"},
    }
    assert proxies["kafka"].topic_configs(["b", "a", "c"]) == {n: {"retention.ms": "1"} for n in "bac"}
    assert kafka.reads == [["a", "b"], ["c"]]  # each name once; the second call reads only the new one
    # a replica port that does not read through the Kafka port reads its own
    other = _Configs()
    alone = ReadOnce(_Through(other), proxies.get)
    alone.topic_configs(["a"])
    assert other.reads == [["a"]]
