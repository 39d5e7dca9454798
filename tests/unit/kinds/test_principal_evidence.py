"""Deletes with evidence for principals (issue 22, part 1): a revoked ACL binding or a deleted SCRAM
user shows whether its principal has consumer groups with committed offsets or open transactions;
in use, it is blocked unless --allow-delete-active; read in a fixed number of requests, shared with
the topics' evidence."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from kgov.catalog.model import (
    AccessFile,
    Authentication,
    Catalog,
    Environment,
    Ownership,
    Settings,
    TopicsFile,
)
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.plan.fingerprint import plan_fingerprint
from kgov.plan.model import EVIDENCE, Entry, Plan
from kgov.render import plan_markdown, plan_text
from tests.unit.plan.helpers import SRC, topic

ENV = "test"
Twin = tuple[MemoryCluster, MemoryReplicas]
READ_TOPIC = "acl.User:billing.topic.literal.orders.created.READ.allow.*"
READ_GROUP = "acl.User:billing.group.literal.billing.READ.allow.*"
WRITE_TXN = "acl.User:billing.transactional_id.prefixed.billing-.WRITE.allow.*"
DESCRIBE_TOPIC = "acl.User:billing.topic.literal.orders.created.DESCRIBE.allow.*"


def _billing(granted: bool, scram: bool = True) -> AccessFile:
    auth = Authentication("scram", "SCRAM-SHA-512", "${env:T_BILLING_PW}") if scram else None
    if not granted:
        return AccessFile(SRC, (), service="billing", principal="User:billing")
    return AccessFile(
        SRC,
        (),
        service="billing",
        principal="User:billing",
        authentication=auth,
        consumes=("orders.created",),
        consumer_groups=("billing",),
        transactional_ids=("billing-",),
    )


def _catalog(*files: AccessFile) -> Catalog:
    env = Environment(SRC, (), name=ENV, kafka={"username": "admin"})
    settings = Settings(SRC, (), ownership=Ownership(delete=True), environments={ENV: env})
    topics = (TopicsFile(SRC, (), service="orders", topics=(topic("orders.created", 1),)),)
    return Catalog(Path("."), settings, topic_files=topics, access_files=files)


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> tuple[MemoryCluster, MemoryReplicas]:
    """billing granted and applied; its group committed on orders.created."""
    monkeypatch.setenv("T_BILLING_PW", "secret-pw")
    kafka, replicas = MemoryCluster(brokers=3), MemoryReplicas(brokers=3)
    first = _plan(_catalog(_billing(True)), kafka, replicas)
    assert all(r.ok for r in apply_plan(first, Backends(kafka=kafka, reassign=replicas)))
    kafka.produce("orders.created", 10)
    kafka.commit("billing", "orders.created", 0, 7)
    return kafka, replicas


def _plan(cat: Catalog, kafka: MemoryCluster, replicas: MemoryReplicas | None, **kw: bool) -> Plan:
    return make_plan(cat, ENV, Backends(kafka=kafka, reassign=replicas), allow_delete=True, **kw)


def _by_address(p: Plan) -> dict[str, Entry]:
    return {e.address: e for e in p.entries}


def test_a_consuming_principal_is_blocked_with_its_group_named(
    cluster: Twin,
) -> None:
    p = _plan(_catalog(_billing(False)), *cluster)
    found = _by_address(p)
    user = found["user.billing"]
    assert user.action == "blocked"
    assert "SCRAM user billing is in use" in str(user.reason)
    assert "billing (on orders.created)" in str(user.reason)
    assert "--allow-delete --allow-delete-active" in str(user.hint)
    read = found[READ_TOPIC]
    assert read.action == "blocked" and "billing (on orders.created)" in str(read.reason)
    assert "--allow-delete-active" in str(read.hint)
    assert found[READ_GROUP].action == "blocked"
    # what takes nothing in use away is deleted, the principal's evidence beside it
    for address in (DESCRIBE_TOPIC, WRITE_TXN):
        entry = found[address]
        assert entry.action == "delete", address
        assert any(n.startswith(EVIDENCE) and "billing (on orders.created)" in n for n in entry.notes)


def test_allow_delete_active_plans_and_applies_them(cluster: Twin) -> None:
    kafka, replicas = cluster
    p = _plan(_catalog(_billing(False)), kafka, replicas, allow_delete_active=True)
    assert not [e for e in p.entries if e.action == "blocked"]
    assert any(EVIDENCE in n for n in _by_address(p)["user.billing"].notes)
    assert all(r.ok for r in apply_plan(p, Backends(kafka=kafka, reassign=replicas)))
    assert not [b for b in kafka.acls if b.principal == "User:billing"]
    assert not kafka.describe_scram().get("billing")


def test_an_idle_principal_is_deleted_with_its_evidence(cluster: Twin) -> None:
    kafka, replicas = cluster
    kafka._usage()["groups"].clear()  # the group's offsets expired
    p = _plan(_catalog(_billing(False)), kafka, replicas)
    assert not [e for e in p.entries if e.action == "blocked"]
    note = next(n for n in _by_address(p)["user.billing"].notes if n.startswith(EVIDENCE))
    assert "no consumer group of User:billing holds committed offsets" in note
    assert "no open transaction" in note


def test_an_open_transaction_blocks_its_transactional_id_binding_and_the_user(
    cluster: Twin,
) -> None:
    kafka, replicas = cluster
    kafka._usage()["groups"].clear()
    replicas.transactions = {"billing-checkout-1": "Ongoing", "billing-old": "CompleteCommit"}
    replicas.transactions["other-1"] = "Ongoing"  # another principal's
    found = _by_address(_plan(_catalog(_billing(False)), kafka, replicas))
    assert found[WRITE_TXN].action == "blocked"
    assert "billing-checkout-1" in str(found[WRITE_TXN].reason)
    assert "billing-old" not in str(found[WRITE_TXN].reason) and "other-1" not in str(found[WRITE_TXN].reason)
    assert found["user.billing"].action == "blocked"
    assert found[READ_TOPIC].action == "delete"  # no group consumes: the READ binding goes


def test_what_could_not_be_read_blocks_as_may_be_in_use(cluster: Twin) -> None:
    kafka, replicas = cluster
    kafka._usage()["groups"].clear()
    kafka.commit("billing", "orders.created", 0, 7)
    kafka.deny_group("billing")
    replicas.transactions_error = "CLUSTER_AUTHORIZATION_FAILED: Cluster authorization failed."
    found = _by_address(_plan(_catalog(_billing(False)), kafka, replicas))
    read = found[READ_TOPIC]
    assert read.action == "blocked" and "may be in use" in str(read.reason)
    assert "billing were not read" in str(read.reason)
    txn = found[WRITE_TXN]
    assert txn.action == "blocked" and "its open transactions were not read" in str(txn.reason)
    assert found[DESCRIBE_TOPIC].action == "delete"


def test_a_plan_without_a_transactions_port_says_so_and_does_not_block(
    cluster: Twin,
) -> None:
    kafka, _ = cluster
    kafka._usage()["groups"].clear()
    found = _by_address(_plan(_catalog(_billing(False)), kafka, None))
    assert found[WRITE_TXN].action == "delete"
    assert any("open transactions not read" in n for n in found[WRITE_TXN].notes)


def test_a_revoked_consumes_line_of_a_managed_principal_is_blocked_without_allow_delete(
    cluster: Twin,
) -> None:
    """The key case: the acls file drops a topic its group still reads (no --allow-delete needed to
    revoke, as before; the evidence blocks it)."""
    kafka, replicas = cluster
    narrower = AccessFile(
        SRC, (), service="billing", principal="User:billing",
        authentication=Authentication("scram", "SCRAM-SHA-512", "${env:T_BILLING_PW}"),
        consumer_groups=("billing",), transactional_ids=("billing-",),
    )  # fmt: skip
    p = make_plan(_catalog(narrower), ENV, Backends(kafka=kafka, reassign=replicas), allow_delete=False)
    found = _by_address(p)
    assert found[READ_TOPIC].action == "blocked"
    assert "user.billing" not in found and READ_GROUP not in found


def test_evidence_notes_stay_out_of_the_fingerprint(cluster: Twin) -> None:
    kafka, replicas = cluster
    p = _plan(_catalog(_billing(False)), kafka, replicas, allow_delete_active=True)
    bare = tuple(
        Entry(**{**e.__dict__, "notes": tuple(n for n in e.notes if not n.startswith(EVIDENCE))})
        for e in p.entries
    )
    again = plan_fingerprint(p.environment, True, p.scope, p.state_digest, bare, None, True)
    assert again == p.fingerprint


def test_the_renderers_show_the_evidence_next_to_the_action(
    cluster: Twin,
) -> None:
    doc = _plan(_catalog(_billing(False)), *cluster).to_json()
    buffer = io.StringIO()
    plan_text.render(doc, Console(file=buffer, width=300, color_system=None))
    text = buffer.getvalue()
    assert "SCRAM user billing is in use" in text and "Evidence: no consumer group" not in text
    assert "billing (on orders.created)" in text
    markdown = plan_markdown.render(doc)
    assert "SCRAM user billing is in use" in markdown
    assert r"billing \(on orders\.created\)" in markdown  # escaped, beside each entry
    blocked = markdown.index("`!` allow User:billing READ topic orders")
    assert markdown.index("**Blocked:** ACL binding allow User:billing READ topic", blocked) > blocked
    assert "  - Evidence: consumer groups of User:billing with committed offsets" in markdown


def test_the_reads_are_fixed_whatever_the_number_of_deletes_and_shared_with_topics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("T_BILLING_PW", "secret-pw")

    def reads(principals: int) -> list[str]:
        kafka, replicas = MemoryCluster(brokers=3), MemoryReplicas(brokers=3)
        files = [
            AccessFile(
                SRC, (), service=f"svc{i}", principal=f"User:svc{i}", consumes=("orders.created",),
                consumer_groups=(f"svc{i}",), transactional_ids=(f"svc{i}-",),
            )
            for i in range(principals)
        ]  # fmt: skip
        first = _plan(_catalog(*files), kafka, replicas)
        assert all(r.ok for r in apply_plan(first, Backends(kafka=kafka, reassign=replicas)))
        kafka.add_topic("orders.gone", 1, 3)  # an owned topic not in the catalog: a topic delete too
        kafka.commit("svc0", "orders.created", 0, 0)
        kafka.requests.clear()
        replicas.requests.clear()
        emptied = [AccessFile(SRC, (), service=f.service, principal=f.principal) for f in files]
        p = _plan(_catalog(*emptied), kafka, replicas, allow_delete_active=True)
        assert len([e for e in p.entries if e.kind == "acl" and e.action == "delete"]) == 5 * principals
        assert [e.name for e in p.entries if e.kind == "topic" and e.action == "delete"] == ["orders.gone"]
        asked = kafka.requests + replicas.requests
        wanted = ("list_consumer", "list_transactions", "describe_acls")
        return sorted(r for r in asked if r.startswith(wanted))

    one, many = reads(1), reads(40)
    assert one == many
    assert one.count("list_consumer_groups") == 1  # topics and principals share one listing...
    assert one.count("list_consumer_group_offsets") == 1  # ...and the one group's offsets
    assert one.count("list_transactions") == 3  # one per broker


def test_without_a_topic_delete_only_the_deleted_principals_groups_are_read(cluster: Twin) -> None:
    """A revocation is common and a cluster may hold thousands of groups: their offsets are read
    only for the groups the deleted principals' bindings cover."""
    kafka, replicas = cluster
    for i in range(30):
        kafka.commit(f"other{i}", "orders.created", 0, 1)
    kafka.requests.clear()
    found = _by_address(_plan(_catalog(_billing(False)), kafka, replicas))
    assert found["user.billing"].action == "blocked"
    assert kafka.requests.count("list_consumer_groups") == 1
    assert kafka.requests.count("list_consumer_group_offsets") == 1  # billing's, not the 30 others'


def test_a_hostile_transactional_id_is_escaped_in_text_and_markdown(cluster: Twin) -> None:
    """Transactional ids and group names are anyone's text: the renderers escape them."""
    kafka, replicas = cluster
    replicas.transactions = {"billing-\x1b[2J<b>x</b>|`y`": "Ongoing"}
    doc = _plan(_catalog(_billing(False)), kafka, replicas).to_json()
    buffer = io.StringIO()
    plan_text.render(doc, Console(file=buffer, width=300, color_system=None))
    assert "\x1b[2J" not in buffer.getvalue() and "have an open transaction" in buffer.getvalue()
    markdown = plan_markdown.render(doc)
    assert "\x1b" not in markdown and "<b>x</b>" not in markdown and "have an open transaction" in markdown
