"""The replicas' health in `kgov audit --format json` on the three-broker sandbox (fixture `sandbox3`;
issue 20, point 4): a topic of 6 partitions at RF 3; a catalog at RF 2 reports the replica count;
broker 2 stopped reports its partitions under-replicated; once it is back and in sync, the
partitions whose leader is not their first replica (read with confluent-kafka's AdminClient, an
independent check) are the ones the audit reports. Kafka's own preferred-leader rebalance may run
at any moment (every 300 s by default), so the leaders are read before and after the audit: the
audit's set lies between the two (leaders only move back to their preferred replica meanwhile).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path
from typing import Any

from confluent_kafka import TopicCollection
from confluent_kafka.admin import AdminClient

from tests.support import kgov, unique_service

from .conftest import ThreeBrokers
from .test_replicas_kind import ENV, PARTITIONS, _catalog

BROKER = 2  # broker-2's id
RESTART_TIMEOUT = 180.0


def _audit(root: Path) -> dict[str, Any]:
    result = kgov("audit", "--env", ENV, "--catalog", str(root), "--format", "json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _finding(doc: dict[str, Any], rule: str, topic: str) -> dict[str, Any] | None:
    found = [
        v for v in doc["violations"] if v["kind"] == "replicas" and v["rule"] == rule and v["name"] == topic
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def _state(bootstrap: str, topic: str) -> dict[int, tuple[list[int], list[int], int]]:
    """partition -> (replicas, in-sync replicas, leader id; -1 for none). A new client each time: one
    that knew a broker before it stopped keeps sending DescribeTopics to it and never answers."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    (future,) = admin.describe_topics(TopicCollection([topic]), request_timeout=10).values()
    return {
        p.id: ([r.id for r in p.replicas], [r.id for r in p.isr], p.leader.id if p.leader is not None else -1)
        for p in future.result(timeout=30).partitions
    }


def _wait(bootstrap: str, topic: str, ok: Any, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):  # a broker restarting may not answer this once
            state = _state(bootstrap, topic)
            if len(state) == PARTITIONS and ok(state):
                return
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(0.5)


def _off_preferred(bootstrap: str, topic: str) -> set[int]:
    return {p for p, (replicas, _, leader) in _state(bootstrap, topic).items() if leader != replicas[0]}


def test_the_audit_reports_counts_under_replicated_partitions_and_leaders_off_preferred(
    sandbox3: ThreeBrokers, tmp_path: Path
) -> None:
    bootstrap = sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"]
    addresses = bootstrap.split(",")  # broker-1, broker-2, broker-3
    others = ",".join(addresses[:1] + addresses[2:])  # for our own reads while broker-2 is down
    topic = f"{unique_service()}.audit"
    root = _catalog(tmp_path / "catalog", bootstrap, [topic], 3)
    created = kgov("apply", "--env", ENV, "--catalog", str(root), "--auto-approve")
    assert created.code == 0, created.stdout + created.stderr
    try:
        _wait(bootstrap, topic, lambda s: all(len(isr) == 3 for _, isr, _ in s.values()), "created in sync")
        healthy = _audit(root)
        assert [v for v in healthy["violations"] if v["kind"] == "replicas" and v["name"] == topic] == []

        # the catalog at RF 2: the count, as a warning, and the plan's reassign entry as drift
        _catalog(root, bootstrap, [topic], 2)
        doc = _audit(root)
        count = _finding(doc, "replica-count", topic)
        assert count is not None and count["severity"] == "warning"
        assert count["message"].startswith(
            "partitions 0-5 have 3 replicas; the catalog asks for replication_factor 2"
        )
        assert [e["action"] for e in doc["drift"] if e["name"] == topic] == ["reassign"]
        _catalog(root, bootstrap, [topic], 3)

        try:
            stopped = sandbox3.box.stop(("broker-2",))
            assert [s.outcome for s in stopped] == ["stopped"]
            _wait(
                others,
                topic,
                lambda s: all(BROKER not in isr for _, isr, _ in s.values()),
                "broker 2 out of ISR",
            )
            doc = _audit(root)
            under = _finding(doc, "under-replicated", topic)
            assert under is not None and under["severity"] == "error", doc["violations"]
            assert under["message"].startswith(
                "6 of 6 partitions under-replicated (fewer in-sync replicas than replicas): partitions 0-5; "
                "broker 2 out of sync on partitions 0-5"
            )
            assert _finding(doc, "replica-count", topic) is None  # 3 replicas each, as the catalog says
        finally:
            sandbox3.box.up(timeout=RESTART_TIMEOUT)

        _wait(
            bootstrap,
            topic,
            lambda s: all(len(isr) == 3 for _, isr, _ in s.values()),
            "broker 2 back in sync",
            120,
        )
        before = _off_preferred(bootstrap, topic)
        doc = _audit(root)
        after = _off_preferred(bootstrap, topic)
        print(
            f"\nleaders off their preferred replica: {sorted(before)} before the audit, {sorted(after)} after"
        )
        assert _finding(doc, "under-replicated", topic) is None
        leader = _finding(doc, "preferred-leader", topic)
        reported = (
            {int(p) for p in re.findall(r"(\d+) led by \d+ \(preferred \d+\)", leader["message"])}
            if leader is not None
            else set()
        )
        assert after <= reported <= before, (before, reported, after)
        if leader is not None:
            assert leader["severity"] == "warning"
    finally:
        for future in AdminClient({"bootstrap.servers": bootstrap}).delete_topics([topic]).values():
            with contextlib.suppress(Exception):  # cleanup only
                future.result(timeout=60)
