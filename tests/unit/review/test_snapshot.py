"""`kgov snapshot` and `kgov plan --snapshot`: the plan from a snapshot is the live plan (same
fingerprint), also for a changed catalog; a stale snapshot's plan is refused at apply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.commands.snapshot import run_snapshot
from kgov.errors import PlanError
from kgov.kinds.base import Backends
from kgov.kinds.topics import TopicKind
from kgov.kinds.topics.observe import ObservedTopics
from kgov.plan.model import EVIDENCE
from kgov.state import TopicSpec
from tests.support import topic_doc, write_catalog


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGOV_BOOTSTRAP_SASL", "127.0.0.1:1")
    monkeypatch.setenv("KGOV_USERNAME", "admin")
    monkeypatch.setenv("KGOV_PASSWORD", "x")


def sans_evidence(changes: Any) -> Any:
    """A live plan's deletes carry evidence read from the cluster (kgov/kinds/topics/evidence.py); a
    plan from a snapshot has no cluster to ask."""
    return [{**e, "notes": [n for n in e["notes"] if not n.startswith(EVIDENCE)]} for e in changes]


def _cluster() -> MemoryCluster:
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("svc.a", 2, 1, **{"retention.ms": "3600000"})
    cluster.add_topic("svc.b", 1, 1)
    cluster.add_topic("svc.stray", 1, 1)  # in the owned prefix, not in the catalog
    cluster.add_topic("other.x", 1, 1)  # another team's: not owned
    cluster.add_topic("__consumer_offsets", 50, 1)  # protected
    return cluster


def _plan(cat: Path, tmp_path: Path, name: str, **kw: Any) -> dict[str, Any]:
    out = tmp_path / name
    kw.setdefault("allow_delete", True)
    run_plan(cat, "local", out=out, **kw)
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def _live(cat: Path, **kw: Any) -> dict[str, Any]:
    """The live plan, of every kind."""
    from kgov.catalog.load import load_catalog
    from kgov.engine.make import make_plan

    catalog = load_catalog(cat).catalog
    return make_plan(catalog, "local", allow_delete=True, **kw).to_json()


def test_state_from_json_inverts_state_json() -> None:
    observed = ObservedTopics(
        {"a.b": TopicSpec("a.b", 3, 2, {"retention.ms": "1"}), "a.c": TopicSpec("a.c", 1, 1)}
    )
    kind = TopicKind()
    assert kind.state_from_json(json.loads(json.dumps(kind.state_json(observed)))) == observed


def test_a_plan_from_a_snapshot_equals_the_live_plan(tmp_path: Path) -> None:
    cat = write_catalog(
        tmp_path / "c", {"svc": [topic_doc("svc.a", 3), topic_doc("svc.b"), topic_doc("svc.c")]}
    )
    cluster = _cluster()
    snap = tmp_path / "state.json"
    assert run_snapshot(cat, "local", snap, backends=Backends(kafka=cluster)) == 0
    assert "hunter" not in snap.read_text() and "${env" not in snap.read_text()
    cluster.requests.clear()
    offline = _plan(cat, tmp_path, "offline.json", snapshot=snap)
    assert cluster.requests == []  # no connection at all
    live = _live(cat, backends=Backends(kafka=cluster))
    assert offline["fingerprint"] == live["fingerprint"]
    assert offline["resource_changes"] == sans_evidence(live["resource_changes"])
    assert set(offline["scope"]) == {"broker", "topic", "user", "acl"}  # no registry here: no subjects
    assert {e["address"] for e in live["resource_changes"]} == {
        "topic.svc.a",
        "topic.svc.c",
        "topic.svc.stray",
    }
    assert offline["warnings"][0].startswith(f"planned from the snapshot {snap}")
    # and apply of the offline plan (re-reading the live cluster) accepts it
    assert (
        run_apply(
            cat,
            "local",
            plan_file=tmp_path / "offline.json",
            allow_delete=True,
            backends=Backends(kafka=cluster),
        )
        == 0
    )
    assert cluster.topics["svc.a"].partitions == 3 and "svc.stray" not in cluster.topics


def test_a_changed_catalog_plans_from_a_snapshot_of_the_old_one(tmp_path: Path) -> None:
    cat = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a", 2), topic_doc("svc.b")]})
    cluster = _cluster()
    snap = tmp_path / "state.json"
    run_snapshot(cat, "local", snap, backends=Backends(kafka=cluster))
    # a pull request: a new topic, a new service, and svc.b dropped
    write_catalog(
        cat, {"svc": [topic_doc("svc.a", 4), topic_doc("svc.new")], "fresh": [topic_doc("fresh.one")]}
    )
    offline = _plan(cat, tmp_path, "offline.json", snapshot=snap)
    live = _live(cat, backends=Backends(kafka=cluster))
    assert offline["scope"] == live["scope"]
    assert offline["state_digest"] == live["state_digest"]
    assert offline["resource_changes"] == sans_evidence(live["resource_changes"])
    assert offline["fingerprint"] == live["fingerprint"]
    assert len(offline["resource_changes"]) == 5  # svc.a grows, svc.new, fresh.one; svc.b, svc.stray deleted


def test_adopting_a_topic_the_snapshot_has_no_configs_of_is_refused(tmp_path: Path) -> None:
    cat = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a", 2)]})
    snap = tmp_path / "state.json"
    run_snapshot(cat, "local", snap, backends=Backends(kafka=_cluster()))
    write_catalog(cat, {"svc": [topic_doc("svc.a", 2)], "other": [topic_doc("other.x")]})
    with pytest.raises(PlanError) as info:
        run_plan(cat, "local", snapshot=snap)
    assert "the snapshot has no configs of topic other.x" in info.value.message


def test_a_plan_from_a_stale_snapshot_is_refused_at_apply(tmp_path: Path) -> None:
    cat = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a", 3), topic_doc("svc.b")]})
    cluster = _cluster()
    snap = tmp_path / "state.json"
    run_snapshot(cat, "local", snap, backends=Backends(kafka=cluster))
    cluster.topics["svc.b"].config["retention.ms"] = "1000"  # drift after the snapshot
    _plan(cat, tmp_path, "offline.json", snapshot=snap)
    with pytest.raises(PlanError) as info:
        run_apply(
            cat,
            "local",
            plan_file=tmp_path / "offline.json",
            allow_delete=True,
            backends=Backends(kafka=cluster),
        )
    assert "): the cluster changed (differs at: topic.svc.b)" in info.value.message
    assert cluster.topics["svc.a"].partitions == 2  # nothing applied


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="x"), "is not a kgov snapshot"),
        (lambda d: d.update(format_version=9), "has snapshot format 9"),
        (
            lambda d: d["kinds"]["topic"]["state"]["topics"].update({"svc.zz": [1, 1, []]}),
            "was edited after kgov wrote it",
        ),
        (lambda d: d.update(environment="prod"), "is a snapshot of environment 'prod', not 'local'"),
    ],
)
def test_bad_snapshots_are_refused(tmp_path: Path, edit: Any, message: str) -> None:
    cat = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    snap = tmp_path / "state.json"
    run_snapshot(cat, "local", snap, backends=Backends(kafka=_cluster()))
    doc = json.loads(snap.read_text())
    edit(doc)
    snap.write_text(json.dumps(doc))
    with pytest.raises(PlanError) as info:
        run_plan(cat, "local", snapshot=snap)
    assert message in info.value.message


def test_a_malformed_state_with_a_matching_digest_is_a_clear_error(tmp_path: Path) -> None:
    from kgov.plan.fingerprint import digest

    cat = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    snap = tmp_path / "state.json"
    run_snapshot(cat, "local", snap, backends=Backends(kafka=_cluster()))
    doc = json.loads(snap.read_text())
    doc["kinds"]["topic"]["state"]["topics"]["svc.a"] = "nonsense"
    doc["digest"] = digest(doc["kinds"])
    snap.write_text(json.dumps(doc))
    with pytest.raises(PlanError) as info:
        run_plan(cat, "local", snapshot=snap)
    assert info.value.message == "the snapshot's topics are malformed; take a new snapshot"


def test_snapshot_out_is_never_written_into_the_catalog_or_through_a_symlink(tmp_path: Path) -> None:
    from kgov.errors import KgovError

    cat = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = _cluster()
    with pytest.raises(KgovError):
        run_snapshot(cat, "local", cat / "topics" / "state.json", backends=Backends(kafka=cluster))
    (tmp_path / "link.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(KgovError):
        run_snapshot(cat, "local", tmp_path / "link.json", backends=Backends(kafka=cluster))
    assert not (cat / "topics" / "state.json").exists() and not (tmp_path / "elsewhere.json").exists()
    assert cluster.requests == []  # refused before any read
