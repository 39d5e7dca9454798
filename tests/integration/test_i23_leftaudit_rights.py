"""A replication throttle left behind, with a principal that may not remove it (issue 23), on the
one-broker sandbox: Kafka's own ConfigCommand (kafka-configs.sh, from the sandbox's jars) sets the
throttle an interrupted apply leaves (leader/follower.replication.throttled.replicas on a catalog
topic, the rates on broker 1) with nothing moving. A real SCRAM principal over SASL that may read
everything but lacks ALTER_CONFIGS on the topic (or on the cluster) gets that removal blocked in
the plan with the right named, `kgov apply` exits 1 having applied nothing (before: it removed the
part it could and failed on the rest), the replica kind's apply of a plan made with every right
removes nothing, and `kgov audit` reports the throttle. Kafka's tool and confluent-kafka's
describe_configs (not kgov's reader) see the throttle still there, on the topic and the broker."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
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
from .test_replicas_rights import CTX, KIND, _replicas, _sasl

ENV = "sb3"  # the name test_replicas_rights' CTX uses; the catalog below points at the one broker
PARTITIONS = 3
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


def _catalog(root: Path, bootstrap: str, topic: str) -> Path:
    (root / "topics").mkdir(parents=True)
    kafka = {
        "bootstrap_servers": bootstrap,
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "username": "${env:T_LIMITED_USER}",
        "password": "${env:T_LIMITED_PW}",
        "timeout_ms": 20000,
    }
    settings = {
        "version": 1,
        "policy": {"replication_factor": {"min": 1}, "min_insync_replicas": {"min": 1}},
        "environments": {ENV: {"kafka": kafka}},
    }
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings))
    service = topic.split(".")[0]
    topics = [{"name": topic, "description": "issue 23", "partitions": PARTITIONS, "replication_factor": 1}]
    body = {"service": service, "owner": "team-test", "topics": topics}
    (root / "topics" / f"{service}.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    return root


def _still_there(tool: ConfigCommand, admin: AdminClient, topic: str) -> None:
    """The throttle as Kafka's tool and confluent-kafka see it: on the topic and on broker 1."""
    assert set(TOPIC_THROTTLES) <= set(tool.dynamic("topics", topic))
    assert set(TOPIC_THROTTLES) <= _dynamic(admin, ResourceType.TOPIC, topic)
    assert tool.dynamic("brokers", "1").get(BROKER_THROTTLES[0]) == RATE
    assert set(BROKER_THROTTLES) <= _dynamic(admin, ResourceType.BROKER, "1")


def _violations(doc: Any, rule: str) -> list[dict[str, Any]]:
    return [v for v in doc["violations"] if v["rule"] == rule]


@pytest.mark.parametrize("missing", sorted(CASES))
def test_a_principal_that_may_not_remove_the_throttle_is_blocked_and_applies_nothing(
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
        root = _catalog(tmp_path / "catalog", env["KGOV_BOOTSTRAP_SASL"], topic)

        # -- plan: the removal kgov may not do is blocked, the right named; the other is planned ------
        plan = kgov("plan", "--env", ENV, "--catalog", str(root), "--format", "json")
        assert plan.code == 1, plan.output
        entries = {e["address"]: e for e in json.loads(plan.stdout)["resource_changes"]}
        assert sorted(entries) == ["replicas.broker:1", f"replicas.{topic}"], entries
        blocked = entries[f"replicas.{topic}" if missing == "topic" else "replicas.broker:1"]
        other = entries["replicas.broker:1" if missing == "topic" else f"replicas.{topic}"]
        assert blocked["action"] == "blocked" and other["action"] == "update"
        assert blocked["reason"].startswith("kgov's principal lacks " + lacks), blocked["reason"]
        assert "grant kgov's principal ALTER_CONFIGS" in blocked["hint"]
        assert "kafka-configs.sh" in blocked["hint"]

        # -- kgov apply: exit 1, nothing applied (not even the removal it may do) -----------------------
        applied = kgov("apply", "--env", ENV, "--catalog", str(root), "--auto-approve")
        assert applied.code == 1, applied.output
        assert "blocked" in applied.output and "nothing was applied" in applied.output, applied.output
        assert "Traceback" not in applied.output and "pw-" not in applied.output
        _still_there(tool, admin, topic)

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
            left = "the throttle was left as it is"
            assert all(left in (error or "") for error in outcome.values()), outcome
            assert lacks in (outcome[blocked["address"]] or ""), outcome
            assert weak.kafka.requests["incremental_alter_configs"] == 0
        finally:
            strong.close()
            weak.close()
        _still_there(tool, admin, topic)

        # -- kgov audit: the throttle reported, saying apply cannot remove it ------------------------
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
        _still_there(tool, admin, topic)
    finally:
        boss.delete_acls(bindings)
        boss.alter_scram([], [ScramDelete(user, "SCRAM-SHA-512")])
        with contextlib.suppress(AssertionError):  # cleanup only
            tool("brokers", "1", "--alter", "--delete-config", ",".join(BROKER_THROTTLES))
        with contextlib.suppress(Exception):  # cleanup only
            admin.delete_topics([topic])[topic].result(timeout=30)
