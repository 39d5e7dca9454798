"""A scoped plan (`kgov plan --base`) on the sandbox reads only the changed ACL bindings, by their
principals (kgov/kinds/acl/observe.py): Kafka's answer to a DescribeAcls filtered by principal is
exactly that principal's bindings (not a wildcard principal's, not a look-alike's), and the scoped
plan's ACL entries are exactly the full plan's for the changed names; likewise its subject entries
for the changed subjects and those tied to them by references (the registry's answers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kgov.bindings import Binding
from kgov.cluster.registry.port import NewSchema
from kgov.commands.common import checked_catalog, connect
from kgov.commands.plan import run_plan
from tests.gitrepo import commit, init
from tests.integration.access_support import admin_cluster, bindings_of
from tests.support import topic_doc

from .kgovtest import kgov, unique_service, write_catalog


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox."""


def test_bindings_read_by_principal_are_exactly_that_principals() -> None:
    svc = unique_service()
    who, dotted = f"User:{svc}", f"User:{svc}.x"  # the second's name starts with the first's
    mine = {
        Binding(who, "topic", "literal", f"{svc}.a", "WRITE"),
        Binding(who, "topic", "prefixed", f"{svc}.", "DESCRIBE"),
        Binding(who, "topic", "literal", "*", "READ"),
        Binding(who, "group", "literal", svc, "READ", "deny"),
        Binding(who, "transactional_id", "prefixed", f"{svc}-", "WRITE", "allow", "10.1.2.3"),
    }
    others = {
        Binding(dotted, "topic", "literal", f"{svc}.a", "WRITE"),
        Binding(f"User:{svc}-other", "topic", "literal", f"{svc}.a", "WRITE"),
        Binding("User:*", "topic", "prefixed", f"{svc}.", "READ"),  # a wildcard principal
    }
    cluster = admin_cluster()
    try:
        assert set(cluster.create_acls([*mine, *others]).values()) == {None}
        named = {x for x in mine | others if svc in x.principal}  # what bindings_of looks at
        assert bindings_of(cluster, svc, named) == named
        before = cluster.requests["describe_acls"]
        assert set(admin_cluster().describe_acls_of([who])) == mine
        both = cluster.describe_acls_of([who, dotted, who])
        assert cluster.requests["describe_acls"] - before == 2  # one request a principal
        everything = cluster.describe_acls()
        assert set(both) == {b for b in everything if b.principal in (who, dotted)}
        assert cluster.describe_acls_of([]) == []
    finally:
        cluster.delete_acls([*mine, *others])


def _access(svc: str, produces: list[str], consumes: list[str], acls: list[dict[str, Any]]) -> str:
    doc = {
        "service": svc,
        "owner": "team-test",
        "principal": f"User:{svc}",
        "produces": produces,
        "consumes": consumes,
        "consumer_groups": [svc],
        "acls": acls,
    }
    return yaml.safe_dump(doc, sort_keys=False)


def _plan(cat: Path, tmp_path: Path, name: str, **kw: Any) -> tuple[dict[str, Any], dict[str, int]]:
    ports = connect(checked_catalog(cat, "local"), "local")
    out = tmp_path / f"{name}.json"
    assert run_plan(cat, "local", backends=ports, out=out, allow_delete=True, **kw) == 0
    assert ports.kafka is not None
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc, dict(ports.kafka.requests)  # type: ignore[attr-defined]


def test_scoped_acl_entries_are_the_full_plans_for_the_changed_names(tmp_path: Path) -> None:
    a, b = unique_service(), unique_service()
    repo = init(tmp_path / "repo")
    topics = {a: [topic_doc(f"{a}.x"), topic_doc(f"{a}.y")], b: [topic_doc(f"{b}.x")]}
    cat = write_catalog(repo / "catalog", topics)
    (cat / "acls").mkdir()
    prefixed = {"resource": "topic", "name": f"{a}.", "pattern": "prefixed", "operations": ["describe"]}
    (cat / "acls" / f"{a}.yaml").write_text(_access(a, [f"{a}.x", f"{a}.y"], [f"{b}.x"], [prefixed]))
    (cat / "acls" / f"{b}.yaml").write_text(_access(b, [f"{b}.x"], [f"{a}.x"], []))
    applied = kgov("apply", "--env", "local", "--catalog", str(cat), "--auto-approve")
    assert applied.code == 0, applied.output
    commit(repo, "applied")
    drift = Binding(f"User:{b}", "group", "literal", f"{b}-drift", "READ")  # not this change's
    cluster = admin_cluster()
    try:
        assert cluster.create_acls([drift]) == {drift.address: None}
        # a's file: the topic y renamed z, a consumed topic dropped, the prefixed grant now literal
        topics[a] = [topic_doc(f"{a}.x"), topic_doc(f"{a}.z")]
        write_catalog(cat, topics)
        literal = {**prefixed, "name": f"{a}.x", "pattern": "literal"}
        (cat / "acls" / f"{a}.yaml").write_text(_access(a, [f"{a}.x", f"{a}.z"], [], [literal]))

        scoped, requests = _plan(cat, tmp_path, "scoped", base="HEAD")
        full, _ = _plan(cat, tmp_path, "full")
        names = scoped["scoped"]["names"]["acl"]
        assert names and all(n.startswith(f"acl.User:{a}.") for n in names)
        acl = [e for e in scoped["resource_changes"] if e["kind"] == "acl"]
        assert acl == [e for e in full["resource_changes"] if e["kind"] == "acl" and e["address"] in names]
        assert {e["action"] for e in acl} == {"create", "delete"}
        assert any(e["address"] == drift.address for e in full["resource_changes"])  # full plan only
        # User:a's bindings, and every binding once for the revocations' evidence
        assert requests["describe_acls"] == 2, requests
    finally:
        cluster.delete_acls([drift])


def test_scoped_subject_entries_are_the_full_plans_for_the_scoped_names(tmp_path: Path) -> None:
    from tests.integration.test_subjects import CUSTOMER, Catalog, registry

    repo = init(tmp_path / "repo")
    cat = Catalog(repo / "catalog")
    customer = cat.add("customer", json.dumps(CUSTOMER))
    order = {
        "type": "record",
        "name": "Order",
        "namespace": "shop",
        "fields": [{"name": "id", "type": "string"}, {"name": "customer", "type": "Customer"}],
    }
    order_subject = cat.add("order", json.dumps(order))
    alone = cat.add("alone", json.dumps({**CUSTOMER, "name": "Alone"}))
    assert cat.apply().code == 0
    commit(repo, "applied")
    # drift outside the change: a new version of the lone subject, registered by hand
    note = {"name": "note", "type": "string", "default": ""}
    drift = {**CUSTOMER, "name": "Alone", "fields": [*CUSTOMER["fields"], note]}
    registry().register(NewSchema(alone, "AVRO", json.dumps(drift)))
    vip = {**CUSTOMER, "fields": [*CUSTOMER["fields"], {"name": "vip", "type": "boolean", "default": False}]}
    cat.add("customer", json.dumps(vip))  # compatible: the order subject follows it

    def plan(*extra: str) -> dict[str, Any]:
        out = tmp_path / "p.json"
        done = kgov("plan", "--env", "local", "--catalog", str(cat.root), "--out", str(out), *extra)
        assert done.code == 0, done.output
        doc: dict[str, Any] = json.loads(out.read_text())
        return doc

    scoped, full = plan("--base", "HEAD"), plan()
    names = scoped["scoped"]["names"]["subject"]
    assert names == sorted([customer, order_subject])
    subjects = [e for e in scoped["resource_changes"] if e["kind"] == "subject"]
    assert subjects == [e for e in full["resource_changes"] if e["kind"] == "subject" and e["name"] in names]
    assert {e["name"] for e in subjects} == {customer, order_subject}
    assert any(e["name"] == alone for e in full["resource_changes"])  # the drift: a full plan's business
