"""The acl and user kinds through make_plan and apply_plan on the in-memory cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.bindings import Binding
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.cluster.kafka.access_port import ScramUpsert
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.errors import ClusterError
from kgov.kinds.base import Backends
from kgov.plan.model import Plan

SETTINGS = """version: 1
policy: {replication_factor: {min: 1}, min_insync_replicas: {min: 1}}
ownership: {delete: DELETE}
environments:
  local: {kafka: {bootstrap_servers: 'x:1', username: admin}}
  stg: {kafka: {bootstrap_servers: 'y:1', username: admin}}
"""
TOPICS = """service: orders
owner: o
topics:
  - {name: orders.created, description: d, partitions: 1, replication_factor: 1}
  - {name: orders.state, description: d, partitions: 1, replication_factor: 1}
"""
ORDERS = """service: orders
principal: User:orders
principals: {stg: 'User:orders-stg'}
authentication:
  scram: {mechanism: SCRAM-SHA-512, password: '${env:T_ORDERS_PW}'}
produces: [orders.created]
consumes: [CONSUMES]
consumer_groups: [orders]
"""


def load(tmp: Path, consumes: str = "orders.state", delete: bool = False) -> Catalog:
    (tmp / "topics").mkdir(exist_ok=True)
    (tmp / "acls").mkdir(exist_ok=True)
    (tmp / "kgov.yaml").write_text(SETTINGS.replace("DELETE", str(delete).lower()), "utf-8")
    (tmp / "topics" / "orders.yaml").write_text(TOPICS, "utf-8")
    (tmp / "acls" / "orders.yaml").write_text(ORDERS.replace("CONSUMES", consumes), "utf-8")
    loaded = load_catalog(tmp)
    assert not loaded.diagnostics
    return loaded.catalog


def plan(cat: Catalog, cluster: MemoryCluster, env: str = "local", allow_delete: bool = False) -> Plan:
    return make_plan(cat, env, Backends(kafka=cluster), allow_delete=allow_delete)


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_ORDERS_PW", "pw-one")


def test_apply_then_plan_converges_in_phase_order(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    p = plan(load(tmp_path), cluster)
    assert sorted(e.address for e in p.entries if e.kind != "topic") == sorted(
        [
            "user.orders",
            "acl.User:orders.topic.literal.orders.created.WRITE.allow.*",
            "acl.User:orders.topic.literal.orders.created.DESCRIBE.allow.*",
            "acl.User:orders.topic.literal.orders.state.READ.allow.*",
            "acl.User:orders.topic.literal.orders.state.DESCRIBE.allow.*",
            "acl.User:orders.group.literal.orders.READ.allow.*",
        ]
    )
    grant = next(e for e in p.entries if e.kind == "acl")
    assert (grant.group, grant.label) == ("User:orders", grant.label)
    assert grant.label.startswith("allow User:orders ")
    cluster.requests.clear()
    assert all(r.ok for r in apply_plan(p, Backends(kafka=cluster)))
    writes = [
        r for r in cluster.requests if r in ("alter_user_scram_credentials", "create_topics", "create_acls")
    ]
    assert writes == ["alter_user_scram_credentials", "create_topics", "create_acls"]
    assert cluster.login("orders", "SCRAM-SHA-512", "pw-one")
    assert not plan(load(tmp_path), cluster).has_changes


def test_a_replaced_grant_is_created_before_the_old_is_revoked(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    apply_plan(plan(load(tmp_path), cluster), Backends(kafka=cluster))
    p = plan(load(tmp_path, consumes="orders.created"), cluster)
    assert sorted((e.action, e.label) for e in p.entries) == [
        ("create", "allow User:orders READ topic orders.created"),
        ("delete", "allow User:orders DESCRIBE topic orders.state"),
        ("delete", "allow User:orders READ topic orders.state"),
    ]
    cluster.requests.clear()
    assert all(r.ok for r in apply_plan(p, Backends(kafka=cluster)))
    assert [r for r in cluster.requests if r.endswith("_acls")] == ["create_acls", "delete_acls"]
    assert not plan(load(tmp_path, consumes="orders.created"), cluster).has_changes


def test_unmanaged_principals_are_never_touched_but_named(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    legacy = Binding("User:legacy", "topic", "literal", "orders.created", "READ")
    cluster.create_acls([legacy, Binding("User:bi", "group", "literal", "bi", "READ")])
    p = plan(load(tmp_path), cluster)
    assert not [e for e in p.entries if e.kind == "acl" and "legacy" in e.address]
    assert "unmanaged principal User:legacy has ACLs on catalog topics: orders.created" in p.warnings
    apply_plan(p, Backends(kafka=cluster))
    assert legacy in cluster.acls


def test_principal_per_environment(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    apply_plan(plan(load(tmp_path), cluster), Backends(kafka=cluster))  # as User:orders
    p = plan(load(tmp_path), cluster, env="stg")
    acl = [e for e in p.entries if e.kind == "acl"]
    assert {e.group for e in acl} == {"User:orders-stg"}
    assert {e.action for e in acl} == {"create"}  # User:orders is not stg's: left alone
    assert [e.address for e in p.entries if e.kind == "user"] == ["user.orders-stg"]


def test_password_drift_found_by_login_and_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = MemoryCluster(brokers=1)
    apply_plan(plan(load(tmp_path), cluster), Backends(kafka=cluster))
    monkeypatch.setenv("T_ORDERS_PW", "pw-two")
    p = plan(load(tmp_path), cluster)
    [entry] = p.entries
    assert (entry.address, entry.action, [c.field for c in entry.changes]) == (
        "user.orders",
        "update",
        ["password"],
    )
    apply_plan(p, Backends(kafka=cluster))
    assert cluster.login("orders", "SCRAM-SHA-512", "pw-two")


def test_mechanism_change_replaces_the_credential(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    cluster.alter_scram([ScramUpsert("orders", "SCRAM-SHA-256", 4096, "pw-one")], [])
    apply_plan(plan(load(tmp_path), cluster), Backends(kafka=cluster))
    assert [c.mechanism for c in cluster.describe_scram()["orders"]] == ["SCRAM-SHA-512"]


def test_unset_secret_warns_at_plan_and_apply_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = MemoryCluster(brokers=1)
    apply_plan(plan(load(tmp_path), cluster), Backends(kafka=cluster))
    monkeypatch.delenv("T_ORDERS_PW")
    p = plan(load(tmp_path), cluster)
    assert not p.has_changes
    assert (
        "could not verify the password of SCRAM user(s): orders (the SCRAM password of User:orders refers to "
        "the environment variable T_ORDERS_PW, which is not set)" in p.warnings
    )
    fresh = MemoryCluster(brokers=1)
    results = {
        r.entry.address: r.error for r in apply_plan(plan(load(tmp_path), fresh), Backends(kafka=fresh))
    }
    assert results["user.orders"] == (
        "not applied: the SCRAM password of User:orders refers to the environment variable T_ORDERS_PW, "
        "which is not set"
    )
    assert fresh.describe_scram() == {}


def test_plan_json_holds_no_password(tmp_path: Path) -> None:
    p = plan(load(tmp_path), MemoryCluster(brokers=1))
    text = json.dumps(p.to_json())
    assert "pw-one" not in text and "${env:T_ORDERS_PW}" in text


def test_owned_user_deleted_only_with_both_switches(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    cluster.alter_scram([ScramUpsert("orders-old", "SCRAM-SHA-512", 4096, "x")], [])
    cluster.alter_scram([ScramUpsert("admin", "SCRAM-SHA-512", 4096, "x")], [])
    kept = plan(load(tmp_path, delete=True), cluster)
    assert "user.orders-old" not in {e.address for e in kept.entries}
    assert any("orders-old" in w and "--allow-delete" in w for w in kept.warnings)
    gone = plan(load(tmp_path, delete=True), cluster, allow_delete=True)
    assert [e.address for e in gone.entries if e.action == "delete"] == ["user.orders-old"]
    apply_plan(gone, Backends(kafka=cluster))
    assert set(cluster.describe_scram()) == {"admin", "orders"}


def test_a_topic_kgov_cannot_see_stops_the_plan(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    cluster.rights["hidden"].add("orders.state")
    with pytest.raises(ClusterError) as stopped:
        plan(load(tmp_path), cluster)
    assert stopped.value.message.startswith("kgov's principal User:kgov may not DESCRIBE topic orders.state:")


def test_a_plan_kgov_could_not_apply_stops_naming_the_missing_right(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    cluster.rights["cluster"].discard("ALTER")
    with pytest.raises(ClusterError) as stopped:  # the user kind comes first: its change needs ALTER
        plan(load(tmp_path), cluster)
    assert stopped.value.message == (
        "kgov's principal User:kgov may not ALTER cluster kafka-cluster, "
        "needed to create, update and delete SCRAM users"
    )
    cluster.alter_scram([ScramUpsert("orders", "SCRAM-SHA-512", 4096, "pw-one")], [])  # no user change
    with pytest.raises(ClusterError) as acls:
        plan(load(tmp_path), cluster)
    assert acls.value.message == (
        "kgov's principal User:kgov may not ALTER cluster kafka-cluster, "
        "needed to create and delete ACL bindings"
    )
    cluster.rights["cluster"].add("ALTER")
    assert all(r.ok for r in apply_plan(plan(load(tmp_path), cluster), Backends(kafka=cluster)))
    cluster.rights["cluster"].discard("ALTER")
    assert not plan(load(tmp_path), cluster).has_changes  # nothing to change: a read-only principal plans


def test_topic_changes_need_their_rights_on_the_topics(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    assert all(r.ok for r in apply_plan(plan(load(tmp_path), cluster), Backends(kafka=cluster)))
    cluster.topics["orders.state"].config["retention.ms"] = "5"  # drift: plan resets it
    cluster.rights["topic_denied"].update({"ALTER_CONFIGS", "ALTER"})
    with pytest.raises(ClusterError) as stopped:
        plan(load(tmp_path), cluster)
    assert stopped.value.message == (
        "kgov's principal User:kgov may not ALTER_CONFIGS topic orders.state: the plan's changes need it"
    )
    cluster.rights["topic_denied"].clear()
    assert [e.action for e in plan(load(tmp_path), cluster).entries] == ["update"]
