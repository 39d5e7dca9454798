"""Snapshots of every kind (topics, SCRAM users, ACL bindings, subjects) on the in-memory twins:
the example applied, drift planted out of band, then the plan from the snapshot equals the live plan
(entries and fingerprint) and applies; a password changed out of band cannot be seen offline, and
the offline plan says which users it could not verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kgov.bindings import Binding
from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.access_port import ScramUpsert
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.registry import MemoryRegistry
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.commands.snapshot import run_snapshot
from kgov.engine.make import make_plan
from kgov.errors import PlanError
from kgov.kinds.base import Backends
from tests.unit.review.test_snapshot import sans_evidence

REPO = Path(__file__).resolve().parents[3]
CATALOG = REPO / "catalog"
SERVICES = ("orders", "inventory", "notifications", "shipping", "users")


@pytest.fixture
def backends(monkeypatch: pytest.MonkeyPatch) -> Backends:
    for s in SERVICES:
        monkeypatch.setenv(f"{s.upper()}_PASSWORD", f"pw-{s}-secret")
    b = Backends(kafka=MemoryCluster(brokers=1), registry=MemoryRegistry())
    assert run_apply(CATALOG, "local", auto_approve=True, backends=b) == 0
    return b


def _drift(b: Backends) -> None:
    kafka, registry = b.kafka, b.registry
    assert isinstance(kafka, MemoryCluster) and isinstance(registry, MemoryRegistry)
    kafka.topics["orders.created"].config["retention.ms"] = "1000"
    kafka.delete_acls([Binding("User:orders", "topic", "literal", "orders.created", "WRITE")])
    kafka.create_acls([Binding("User:orders", "topic", "literal", "users.profile", "READ")])
    kafka.alter_scram([ScramUpsert("shipping", "SCRAM-SHA-512", 8192, "pw-shipping-secret")], [])
    registry.set_level("orders.created-value", "NONE")


def _plans(tmp_path: Path, b: Backends) -> tuple[dict[str, Any], dict[str, Any], Path]:
    snap = tmp_path / "state.json"
    assert run_snapshot(CATALOG, "local", snap, backends=b) == 0
    text = snap.read_text()
    assert "pw-" not in text and "secret" not in text  # names, mechanisms, iterations only
    kafka = b.kafka
    assert isinstance(kafka, MemoryCluster)
    kafka.requests.clear()
    out = tmp_path / "offline.json"
    run_plan(CATALOG, "local", out=out, snapshot=snap)
    assert kafka.requests == [] and b.registry is not None
    live = make_plan(load_catalog(CATALOG).catalog, "local", b, allow_delete=False).to_json()
    return json.loads(out.read_text()), live, out


def test_snapshot_then_plan_equals_the_live_plan_for_every_kind(tmp_path: Path, backends: Backends) -> None:
    offline, live, out = _plans(tmp_path, backends)
    assert set(offline["scope"]) == {"broker", "topic", "user", "acl", "subject"}
    assert offline["resource_changes"] == live["resource_changes"] == []
    _drift(backends)
    offline, live, out = _plans(tmp_path, backends)
    assert offline["resource_changes"] == sans_evidence(live["resource_changes"])
    assert {(e["kind"], e["action"]) for e in live["resource_changes"]} == {
        ("topic", "update"), ("acl", "create"), ("acl", "delete"), ("user", "update"), ("subject", "update"),
    }  # fmt: skip
    assert offline["fingerprint"] == live["fingerprint"]
    unverified = [w for w in offline["warnings"] if w.startswith("could not verify the password")]
    assert len(unverified) == 1 and "orders (planned from a snapshot" in unverified[0]
    assert run_apply(CATALOG, "local", plan_file=out, backends=backends) == 0  # not stale: applies
    assert make_plan(load_catalog(CATALOG).catalog, "local", backends, allow_delete=False).entries == ()


def test_a_password_changed_out_of_band_is_seen_live_only_and_refused_at_apply(
    tmp_path: Path, backends: Backends
) -> None:
    kafka = backends.kafka
    assert isinstance(kafka, MemoryCluster)
    kafka.alter_scram([ScramUpsert("orders", "SCRAM-SHA-512", 4096, "changed-out-of-band")], [])
    offline, live, out = _plans(tmp_path, backends)
    assert [e["address"] for e in live["resource_changes"]] == ["user.orders"]
    assert offline["resource_changes"] == []  # a login cannot be tried offline ...
    assert any("orders (planned from a snapshot" in w for w in offline["warnings"])  # ... it says so
    with pytest.raises(PlanError) as info:
        run_apply(CATALOG, "local", plan_file=out, backends=backends)
    assert "the cluster changed (differs at: user.orders)" in info.value.message


def test_a_subject_the_snapshot_did_not_read_stops_the_plan(backends: Backends) -> None:
    from kgov.kinds.subjects import SubjectKind

    kind, registry = SubjectKind(), backends.registry
    taken = {"names": ["users.profile-value"], "prefixes": [], "protected": ["__*", "_*"], "transitive": []}
    state = json.loads(json.dumps(kind.snapshot_state(registry, taken)))
    assert "orders.created-value" in state["listed"] and list(state["latest"]) == ["users.profile-value"]
    same = kind.from_snapshot(taken, state, taken)
    assert same == kind.observe(registry, taken)
    wider = {**taken, "names": ["orders.created-value", "users.profile-value"]}
    with pytest.raises(PlanError) as info:
        kind.from_snapshot(taken, state, wider)
    assert info.value.message.startswith("the snapshot has no schema of subject orders.created-value")
    transitive = {**taken, "transitive": ["users.profile-value"]}
    with pytest.raises(PlanError) as info:
        kind.from_snapshot(taken, state, transitive)
    assert info.value.message.startswith("the snapshot has no version history of subject users.profile-value")
    absent = {**taken, "names": ["users.profile-value", "brand.new-value"]}  # not in the registry: a create
    assert kind.from_snapshot(taken, state, absent) == same
