"""Deletes with evidence on the real sandbox (issue 22, part 1): a topic a real consumer group
committed on, and a real producer wrote to, is blocked when removed from the catalog (plan exits 1,
naming the group, its lag and the last write); with --allow-delete-active it is planned and applied.
A topic whose newest record is older than ownership.active_within, with no group, is deleted with
--allow-delete alone."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import NewTopic

from tests.integration.clients import consume_and_commit
from tests.integration.kgovtest import admin
from tests.support import kgov, topic_doc, unique_service, write_catalog

PRODUCED, CONSUMED = 5, 2
MONTH_MS = 30 * 24 * 3_600_000


def _produce(topic: str, count: int, at_ms: int | None = None) -> None:
    p = Producer({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
    for i in range(count):
        if at_ms is None:
            p.produce(topic, value=f"m{i}".encode())
        else:
            p.produce(topic, value=f"m{i}".encode(), timestamp=at_ms)
    assert p.flush(30) == 0


@pytest.fixture()
def setup(tmp_path: Path) -> Iterator[tuple[Path, str, str, str]]:
    svc = unique_service()
    busy, idle, group = f"{svc}.busy", f"{svc}.idle", f"{svc}-consumer"
    root = write_catalog(tmp_path / "catalog", {svc: [topic_doc(f"{svc}.keep")]})
    applied = kgov("apply", "--env", "local", "--catalog", str(root), "--auto-approve")
    assert applied.code == 0, applied.output
    a = admin()
    for f in a.create_topics([NewTopic(t, 1, 1) for t in (busy, idle)]).values():
        f.result(30)
    _produce(busy, PRODUCED)
    consume_and_commit(group, busy, CONSUMED)
    _produce(idle, 1, at_ms=int(time.time() * 1000) - MONTH_MS)  # its newest record: a month old
    yield root, busy, idle, group
    for f in (
        *a.delete_consumer_groups([group]).values(),
        *a.delete_topics([f"{svc}.keep", busy, idle]).values(),
    ):
        with contextlib.suppress(Exception):  # cleanup: a test deleted some already
            f.result(30)


def _plan(root: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    """The plan once the broker's metadata lists both new topics (it trails the controller)."""
    deadline = time.monotonic() + 30
    while True:
        result = kgov("plan", "--env", "local", "--catalog", str(root), "--format", "json", *flags)
        doc: dict[str, Any] = json.loads(result.stdout)
        if len(doc["resource_changes"]) >= 2 or time.monotonic() > deadline:
            return result.code, doc
        time.sleep(1)


def test_an_active_topic_delete_is_blocked_with_its_evidence_then_allowed(
    setup: tuple[Path, str, str, str], tmp_path: Path
) -> None:
    root, busy, idle, group = setup
    code, doc = _plan(root, "--allow-delete")
    entries = {e["name"]: e for e in doc["resource_changes"]}
    assert code == 1
    assert entries[busy]["action"] == "blocked"
    reason = entries[busy]["reason"]
    assert f"{group} (lag {PRODUCED - CONSUMED})" in reason and "last write" in reason
    assert " on disk" in reason  # DescribeLogDirs, through the replica port
    assert entries[idle]["action"] == "delete"
    assert any(n.startswith("Evidence: no consumer group") and "30d ago" in n for n in entries[idle]["notes"])
    # text and Markdown show it next to the action
    text = kgov("plan", "--env", "local", "--catalog", str(root), "--allow-delete")
    assert f"{group} (lag {PRODUCED - CONSUMED})" in text.output
    # allowed: planned, saved and applied
    out = tmp_path / "plan.json"
    saved = kgov(
        "plan",
        "--env",
        "local",
        "--catalog",
        str(root),
        "--allow-delete",
        "--allow-delete-active",
        "--out",
        str(out),
    )
    assert saved.code == 0, saved.output
    applied = kgov(
        "apply", str(out), "--env", "local", "--catalog", str(root), "--allow-delete", "--allow-delete-active"
    )
    assert applied.code == 0, applied.output
    names = set(admin().list_topics(timeout=30).topics)
    assert busy not in names and idle not in names


def test_an_idle_topic_is_deleted_with_allow_delete_alone(setup: tuple[Path, str, str, str]) -> None:
    root, busy, idle, group = setup
    admin().delete_consumer_groups([group])[group].result(30)
    # the busy topic's last write is recent: with its group gone it is still in use; drop it first
    for f in admin().delete_topics([busy]).values():
        f.result(30)
    deadline = time.monotonic() + 30
    while True:
        _, doc = _plan(root, "--allow-delete")
        names = {e["name"] for e in doc["resource_changes"]}
        if busy not in names or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert [(e["name"], e["action"]) for e in doc["resource_changes"]] == [(idle, "delete")]
    applied = kgov("apply", "--env", "local", "--catalog", str(root), "--auto-approve", "--allow-delete")
    assert applied.code == 0, applied.output
    assert idle not in set(admin().list_topics(timeout=30).topics)


def test_the_audit_lists_the_idle_topic_as_a_candidate_to_retire(
    setup: tuple[Path, str, str, str], tmp_path: Path
) -> None:
    root, busy, idle, _ = setup
    out = tmp_path / "audit.json"
    deadline = time.monotonic() + 30
    while True:
        result = kgov(
            "audit", "--env", "local", "--catalog", str(root), "--format", "json", "--out", str(out)
        )
        assert result.code in (0, 1, 2), result.output
        rows = {r["topic"]: r for r in json.loads(out.read_text("utf-8"))["usage"]["retire_candidates"]}
        if idle in rows or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert busy not in rows  # its group and its fresh write keep it
    assert rows[idle]["last_write"] is not None and rows[idle]["bytes"] > 0
