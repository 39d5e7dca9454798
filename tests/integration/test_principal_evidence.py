"""Deletes with evidence for principals on the real sandbox (issue 22, part 1): a SCRAM service whose
consumer group committed offsets, its access removed from the catalog, has its user delete and the
revocations that would stop its consumer blocked (plan exits 1, naming the group); with
--allow-delete-active they are planned and applied. A service with an open transaction (a real
transactional producer that began one and did not commit) has its transactional id's binding and its
user blocked: Kafka's ListTransactions, through kafka-python."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka import KafkaException, Producer

from tests.integration import clients as c
from tests.integration.access_support import admin_cluster
from tests.integration.kgovtest import admin
from tests.support import kgov, topic_doc, unique_service, write_catalog


def _acls(root: Path, svc: str, password_var: str, *, granted: bool) -> None:
    """The service's acls file: granted (SCRAM login, produce, consume, group, transactional ids),
    or emptied (the principal still declared, granted nothing, no login): its access removed."""
    doc: dict[str, Any] = {"service": svc, "owner": "team-test", "principal": f"User:{svc}"}
    if granted:
        doc.update(
            authentication={"scram": {"mechanism": "SCRAM-SHA-512", "password": f"${{env:{password_var}}}"}},
            produces=[f"{svc}.placed"],
            consumes=[f"{svc}.placed"],
            consumer_groups=[svc],
            transactional_ids=[f"{svc}-"],
        )
    (root / "acls").mkdir(exist_ok=True)
    (root / "acls" / f"{svc}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")


@pytest.fixture()
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """A service applied with its login and grants; yields its catalog, name and client settings."""
    svc = unique_service()
    var = f"PE_{svc.upper()}_PW"
    password = secrets.token_hex(12)
    monkeypatch.setenv(var, password)
    root = write_catalog(tmp_path / "catalog", {svc: [topic_doc(f"{svc}.placed")]})
    _acls(root, svc, var, granted=True)
    applied = kgov("apply", "--env", "local", "--catalog", str(root), "--auto-approve")
    assert applied.code == 0, applied.output
    yield root, svc, c.scram(svc, password)
    cluster = admin_cluster()
    with contextlib.suppress(Exception):  # cleanup: the test may have deleted them already
        cluster.delete_acls([b for b in cluster.describe_acls() if b.principal == f"User:{svc}"])
    futures = [*admin().delete_consumer_groups([svc]).values()]
    futures += admin().delete_topics([f"{svc}.placed"]).values()
    for f in futures:
        with contextlib.suppress(Exception):
            f.result(30)
    _acls(root, svc, var, granted=False)
    flags = ("--auto-approve", "--allow-delete", "--allow-delete-active")
    kgov("apply", "--env", "local", "--catalog", str(root), *flags)


def _until_allowed(step: Any) -> None:
    """The broker applies new bindings and users a moment after apply returns: try for 30 s."""
    deadline = time.monotonic() + 30
    while (err := step()) is not None:
        assert time.monotonic() < deadline, err
        time.sleep(0.5)


def _plan(root: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    args = ("--allow-delete", "--format", "json", *flags)
    result = kgov("plan", "--env", "local", "--catalog", str(root), *args)
    return result.code, json.loads(result.stdout)


def _entries(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["address"]: e for e in doc["resource_changes"]}


def test_a_consuming_service_removed_is_blocked_then_allowed(
    service: tuple[Path, str, dict[str, Any]], tmp_path: Path
) -> None:
    root, svc, conf = service
    _until_allowed(lambda: c.produce(conf, f"{svc}.placed"))
    _until_allowed(lambda: c.consume(conf, svc, f"{svc}.placed"))  # commits as group svc
    _acls(root, svc, "", granted=False)
    code, doc = _plan(root)
    assert code == 1
    found = _entries(doc)
    user = found[f"user.{svc}"]
    assert user["action"] == "blocked"
    assert f"consumer group(s) {svc} hold committed offsets" in user["reason"]
    read = found[f"acl.User:{svc}.topic.literal.{svc}.placed.READ.allow.*"]
    assert read["action"] == "blocked" and f"{svc} (on {svc}.placed)" in read["reason"]
    assert found[f"acl.User:{svc}.group.literal.{svc}.READ.allow.*"]["action"] == "blocked"
    write = found[f"acl.User:{svc}.topic.literal.{svc}.placed.WRITE.allow.*"]
    assert write["action"] == "delete"
    assert any(n.startswith("Evidence: ") and f"{svc} (on {svc}.placed)" in n for n in write["notes"])
    # the text plan shows it next to the action
    text = kgov("plan", "--env", "local", "--catalog", str(root), "--allow-delete")
    assert f"SCRAM user {svc} is in use" in text.output
    # allowed: planned, saved and applied
    out = tmp_path / "plan.json"
    flags = ("--allow-delete", "--allow-delete-active")
    saved = kgov("plan", "--env", "local", "--catalog", str(root), *flags, "--out", str(out))
    assert saved.code == 0, saved.output
    applied = kgov("apply", str(out), "--env", "local", "--catalog", str(root), *flags)
    assert applied.code == 0, applied.output
    cluster = admin_cluster()
    assert not [b for b in cluster.describe_acls() if b.principal == f"User:{svc}"]
    assert not cluster.describe_scram().get(svc)


def test_an_open_transaction_blocks_its_principal(service: tuple[Path, str, dict[str, Any]]) -> None:
    root, svc, conf = service
    producer = Producer({**conf, "transactional.id": f"{svc}-checkout-1", "transaction.timeout.ms": 120000})
    deadline = time.monotonic() + 30
    while True:  # the new bindings reach the broker a moment after apply
        try:
            producer.init_transactions(c.STEP_TIMEOUT)
            break
        except KafkaException:
            assert time.monotonic() < deadline
            time.sleep(0.5)
    producer.begin_transaction()
    producer.produce(f"{svc}.placed", b"open", key=b"k")
    assert producer.flush(c.STEP_TIMEOUT) == 0
    try:
        _acls(root, svc, "", granted=False)
        code, doc = _plan(root)
        assert code == 1
        found = _entries(doc)
        txn = found[f"acl.User:{svc}.transactional_id.prefixed.{svc}-.WRITE.allow.*"]
        assert txn["action"] == "blocked"
        assert f"{svc}-checkout-1 have an open transaction" in txn["reason"]
        user = found[f"user.{svc}"]
        assert user["action"] == "blocked" and f"{svc}-checkout-1" in user["reason"]
        # no group committed: the READ binding is not what blocks
        assert found[f"acl.User:{svc}.topic.literal.{svc}.placed.READ.allow.*"]["action"] == "delete"
    finally:
        with contextlib.suppress(KafkaException):
            producer.abort_transaction(c.STEP_TIMEOUT)
