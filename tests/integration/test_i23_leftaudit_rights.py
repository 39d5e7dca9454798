"""A replication throttle left behind, with a principal that may not remove it (issue 23), on the
one-broker sandbox: Kafka's own ConfigCommand (kafka-configs.sh, from the sandbox's jars) sets the
throttle an interrupted apply leaves (leader/follower.replication.throttled.replicas on a catalog
topic, the rates on broker 1) with nothing moving. A real SCRAM principal over SASL that may read
everything but lacks ALTER_CONFIGS on the topic (or on the cluster) gets no plan of that removal but
a warning naming the right (the plan does not fail: the catalog never asked for it); `kgov audit`
reports both throttles, saying which apply cannot remove; the replica kind's apply of a plan made
with every right removes nothing (the rights read again first); and `kgov apply` removes the one it
may and leaves the other. Kafka's tool and confluent-kafka's describe_configs (not kgov's reader)
see what is left, on the topic and the broker."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient, NewTopic, ResourceType

from kgov.bindings import Binding
from kgov.catalog.model import Catalog
from kgov.cluster.kafka.access_port import ScramDelete, ScramUpsert
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.replica_port import BROKER_THROTTLES, TOPIC_THROTTLES
from kgov.kinds.base import ApplyOptions
from kgov.sandbox.api import Sandbox
from tests.integration.access_support import bindings_of, topics_listed
from tests.support import kgov, unique_service

from .conftest import ThreeBrokers, sandbox_state_dir
from .test_i23_throttle_leftover import ConfigCommand
from .test_replicas_kind import _dynamic
from .test_replicas_rights import CTX, ENV, KIND, PARTITIONS, _catalog, _replicas, _sasl

RATE = "1048576"
READS = [
    ("cluster", "kafka-cluster", "DESCRIBE"),
    ("cluster", "kafka-cluster", "DESCRIBE_CONFIGS"),
    ("topic", "{t}", "DESCRIBE"),
    ("topic", "{t}", "DESCRIBE_CONFIGS"),
]
# the right each case takes away (the principal has the other one)
CASES = {
    "topic": (("cluster", "kafka-cluster", "ALTER_CONFIGS"), "ALTER_CONFIGS on topic {t} "),
    "cluster": (("topic", "{t}", "ALTER_CONFIGS"), "ALTER_CONFIGS on the cluster "),
}


def _still_there(tool: ConfigCommand, admin: AdminClient, topic: str, where: str = "both") -> None:
    """The throttle as Kafka's tool and confluent-kafka see it: on the topic and on broker 1 (both),
    or only where it was left ("topic": gone from the broker; "cluster": gone from the topic)."""
    on_topic = set(TOPIC_THROTTLES) & set(tool.dynamic("topics", topic))
    assert on_topic == (set() if where == "cluster" else set(TOPIC_THROTTLES))
    assert on_topic == set(TOPIC_THROTTLES) & _dynamic(admin, ResourceType.TOPIC, topic)
    rate = tool.dynamic("brokers", "1").get(BROKER_THROTTLES[0])
    assert rate == (None if where == "topic" else RATE)
    assert bool(set(BROKER_THROTTLES) & _dynamic(admin, ResourceType.BROKER, "1")) == (where != "topic")


def _violations(doc: Any, rule: str) -> list[dict[str, Any]]:
    return [v for v in doc["violations"] if v["rule"] == rule]


@pytest.mark.parametrize("missing", sorted(CASES))
def test_a_throttle_kgov_may_not_remove_is_warned_about_and_left(
    sandbox: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    env = sandbox
    svc = unique_service()
    user = svc + "-kgov"  # not part of the topic's name: kgov redacts resolved settings from errors
    topic = f"{svc}.orders"
    granted, lacks = CASES[missing]
    lacks = lacks.format(t=topic)
    admin = AdminClient({"bootstrap.servers": env["KGOV_BOOTSTRAP_PLAINTEXT"]})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])[topic].result(timeout=30)
    boss = KafkaCluster(_sasl(env, env["KGOV_USERNAME"], env["KGOV_PASSWORD"]))
    grants = [*READS, granted]
    bindings = [Binding(f"User:{user}", rt, "literal", name.format(t=topic), op) for rt, name, op in grants]
    tool = ConfigCommand(ThreeBrokers(Sandbox(sandbox_state_dir()), env))  # the one broker's jars
    try:
        assert topics_listed(boss, {topic})
        assert set(boss.create_acls(bindings).values()) == {None}
        assert boss.alter_scram([ScramUpsert(user, "SCRAM-SHA-512", 4096, "pw-" + user)], []) == {user: None}
        assert bindings_of(boss, user, set(bindings)) == set(bindings)
        monkeypatch.setenv("T_LIMITED_USER", user)
        monkeypatch.setenv("T_LIMITED_PW", "pw-" + user)
        leader = ",".join(f"{p}:1" for p in range(PARTITIONS))
        tool("topics", topic, "--alter", "--add-config",
             f"{TOPIC_THROTTLES[0]}=[{leader}],{TOPIC_THROTTLES[1]}=[{leader}]")  # fmt: skip
        tool("brokers", "1", "--alter", "--add-config", ",".join(f"{k}={RATE}" for k in BROKER_THROTTLES))
        _still_there(tool, admin, topic)
        root = _catalog(tmp_path / "catalog", env["KGOV_BOOTSTRAP_SASL"], topic, rf=1, why="issue 23")

        # -- plan: the removal kgov may not do is a warning, the right named; the other is planned ---
        plan = kgov("plan", "--env", ENV, "--catalog", str(root), "--format", "json")
        assert plan.code == 0, plan.output
        doc = json.loads(plan.stdout)
        left_on = f"topic {topic}" if missing == "topic" else "broker 1"
        other = "replicas.broker:1" if missing == "topic" else f"replicas.{topic}"
        assert {e["address"]: e["action"] for e in doc["resource_changes"]} == {other: "update"}
        (warning,) = [w for w in doc["warnings"] if f"replication throttle left on {left_on} " in w]
        assert "is not removed: kgov's principal lacks " + lacks in warning, warning
        assert "grant kgov's principal ALTER_CONFIGS" in warning and "kafka-configs.sh" in warning
        _still_there(tool, admin, topic)

        # -- kgov audit: both reported, saying which apply cannot remove ----------------------------
        audit = kgov("audit", "--env", ENV, "--catalog", str(root), "--format", "json")
        assert audit.code == 0, audit.output
        doc = json.loads(audit.stdout)
        (on_topic,) = _violations(doc, "throttle-left")
        (on_broker,) = _violations(doc, "throttle-rate-left")
        assert (on_topic["name"], on_broker["name"]) == (topic, "broker:1")
        assert on_topic["severity"] == on_broker["severity"] == "warning"
        cannot = on_topic if missing == "topic" else on_broker
        assert "`kgov apply` cannot remove it, kgov's principal lacks " + lacks in cannot["message"]
        can = on_broker if missing == "topic" else on_topic
        assert "`kgov apply` removes it" in can["message"]
        markdown = kgov("audit", "--env", ENV, "--catalog", str(root), "--format", "markdown")
        assert markdown.code == 0 and "throttle\\-rate\\-left" in markdown.stdout, markdown.output

        # -- the replica kind's apply of a plan made with every right: refused up front --------------
        strong = _replicas(_sasl(env, env["KGOV_USERNAME"], env["KGOV_PASSWORD"]))
        weak = _replicas(_sasl(env, user, "pw-" + user))
        try:
            scope = KIND.scope({topic: 1}, Catalog(Path("."), CTX.settings))
            planned, _ = KIND.diff({topic: 1}, KIND.observe(strong, scope), CTX)
            assert {e.address: e.action for e in planned} == {
                "replicas.broker:1": "update",
                f"replicas.{topic}": "update",
            }
            outcome = KIND.apply_with(weak, planned, ApplyOptions(wait=False))
            refused = "replicas.broker:1" if missing == "cluster" else f"replicas.{topic}"
            left = "the throttle was left as it is"
            assert all(left in (error or "") for error in outcome.values()), outcome
            assert lacks in (outcome[refused] or ""), outcome
            assert weak.kafka.requests["incremental_alter_configs"] == 0
        finally:
            strong.close()
            weak.close()
        _still_there(tool, admin, topic)

        # -- kgov apply: exit 0, removes what it may, leaves the other (as the warning said) ---------
        applied = kgov("apply", "--env", ENV, "--catalog", str(root), "--auto-approve")
        assert applied.code == 0, applied.output
        assert f"replication throttle left on {left_on} " in applied.output, applied.output
        assert "Traceback" not in applied.output and "pw-" not in applied.output
        _still_there(tool, admin, topic, where=missing)
    finally:
        boss.delete_acls(bindings)
        boss.alter_scram([], [ScramDelete(user, "SCRAM-SHA-512")])
        with contextlib.suppress(AssertionError):  # cleanup only
            tool("brokers", "1", "--alter", "--delete-config", ",".join(BROKER_THROTTLES))
        with contextlib.suppress(Exception):  # cleanup only
            admin.delete_topics([topic])[topic].result(timeout=30)
