"""kgov checks its rights before a replication-factor change (issue 20, point 5), on the
three-broker sandbox (fixture `sandbox3`) with a real limited SCRAM principal over SASL: one that
may describe the cluster and alter configs, but not ALTER the cluster (AlterPartitionReassignments,
ElectLeaders), gets the change blocked in the plan with the right named, `kgov apply` exits 1
saying so, and apply of a plan made by a principal that may (a saved plan whose right was revoked
since) starts nothing. The topic's replicas and configs and the brokers' configs are checked
unchanged with confluent-kafka's AdminClient as the admin, not with kgov's code."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka import TopicCollection
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic, ResourceType

from kgov.bindings import Binding
from kgov.catalog.model import Catalog, Environment, Settings, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.access_port import ScramCredential, ScramDelete, ScramUpsert
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.adapter.replicas import KafkaReplicas
from kgov.cluster.kafka.client_settings import KafkaSettings
from kgov.kinds.base import ApplyOptions, DiffContext
from kgov.kinds.replicas import ReplicaKind
from tests.integration.access_support import bindings_of, scram_of, topics_listed
from tests.support import kgov, unique_service

from .conftest import ThreeBrokers

ENV = "sb3"
PARTITIONS = 3
LACKS = "kgov's principal lacks ALTER on the cluster (AlterPartitionReassignments, ElectLeaders)"
KIND = ReplicaKind()
SRC = Source("kgov.yaml", YamlDoc({}, {}))
CTX = DiffContext(Environment(SRC, (), name=ENV), Settings(SRC, ()), allow_delete=False)
# may read everything kgov reads and alter every config it sets, but not ALTER the cluster
GRANTS = [
    ("cluster", "kafka-cluster", "DESCRIBE"),
    ("cluster", "kafka-cluster", "DESCRIBE_CONFIGS"),
    ("cluster", "kafka-cluster", "ALTER_CONFIGS"),
    ("topic", "{t}", "DESCRIBE"),
    ("topic", "{t}", "DESCRIBE_CONFIGS"),
    ("topic", "{t}", "ALTER_CONFIGS"),
]


def _sasl(env: dict[str, str], user: str, password: str) -> KafkaSettings:
    conf = {
        "bootstrap.servers": env["KGOV_BOOTSTRAP_SASL"],
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": user,
        "sasl.password": password,
    }
    return KafkaSettings(conf["bootstrap.servers"], 20.0, conf)


def _replicas(settings: KafkaSettings) -> KafkaReplicas:
    return KafkaReplicas(KafkaCluster(settings), KafkaReassign(settings))


def _catalog(root: Path, bootstrap: str, topic: str, rf: int = 3, why: str = "issue 20") -> Path:
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
    topics = [{"name": topic, "description": why, "partitions": PARTITIONS, "replication_factor": rf}]
    body = {"service": service, "owner": "team-test", "topics": topics}
    (root / "topics" / f"{service}.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    return root


def _state(admin: AdminClient, topic: str) -> dict[str, Any]:
    """The topic's replica lists and every config of it and of the brokers, as the admin reads them."""
    (described,) = admin.describe_topics(TopicCollection([topic])).values()
    replicas = {p.id: [r.id for r in p.replicas] for p in described.result(timeout=30).partitions}
    resources = [ConfigResource(ResourceType.TOPIC, topic)] + [
        ConfigResource(ResourceType.BROKER, b) for b in ("1", "2", "3")
    ]
    configs = {}
    for resource in resources:  # one resource a call: confluent-kafka takes one BROKER per request
        (future,) = admin.describe_configs([resource]).values()
        configs[str(resource)] = {e.name: (e.value, e.source) for e in future.result(timeout=30).values()}
    return {"replicas": replicas, "configs": configs}


def test_a_principal_without_alter_on_the_cluster_starts_nothing(
    sandbox3: ThreeBrokers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = sandbox3.env
    svc = unique_service()
    user = svc + "-kgov"  # not part of the topic's name: kgov redacts resolved settings from errors
    topic = f"{svc}.a"
    admin = AdminClient({"bootstrap.servers": env["KGOV_BOOTSTRAP_PLAINTEXT"]})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])[topic].result(timeout=30)
    boss = KafkaCluster(_sasl(env, env["KGOV_USERNAME"], env["KGOV_PASSWORD"]))
    bindings = [Binding(f"User:{user}", rt, "literal", name.format(t=topic), op) for rt, name, op in GRANTS]
    try:
        assert topics_listed(boss, {topic})
        assert set(boss.create_acls(bindings).values()) == {None}
        assert boss.alter_scram([ScramUpsert(user, "SCRAM-SHA-512", 4096, "pw-" + user)], []) == {user: None}
        assert bindings_of(boss, user, set(bindings)) == set(bindings)
        assert scram_of(boss, user, [ScramCredential(user, "SCRAM-SHA-512", 4096)])
        monkeypatch.setenv("T_LIMITED_USER", user)
        monkeypatch.setenv("T_LIMITED_PW", "pw-" + user)
        before = _state(admin, topic)
        root = _catalog(tmp_path / "catalog", env["KGOV_BOOTSTRAP_SASL"], topic)

        # -- plan: blocked, the right named -----------------------------------------------------
        plan = kgov("plan", "--env", ENV, "--catalog", str(root), "--format", "json")
        assert plan.code == 1, plan.output
        (entry,) = [e for e in json.loads(plan.stdout)["resource_changes"] if e["name"] == topic]
        assert (entry["kind"], entry["action"]) == ("replicas", "blocked"), entry
        assert entry["reason"].startswith(LACKS), entry["reason"]
        assert "ALTER_CONFIGS" not in entry["reason"]  # granted: not named

        # -- apply: exit 1 with the reason, nothing applied ------------------------------------------
        applied = kgov("apply", "--env", ENV, "--catalog", str(root), "--auto-approve")
        assert applied.code == 1, applied.output
        assert LACKS in applied.output and "nothing was applied" in applied.output, applied.output
        assert "Traceback" not in applied.output

        # -- apply of a plan made by a principal that may (a saved plan, the right revoked since) ---
        strong = _replicas(_sasl(env, env["KGOV_USERNAME"], env["KGOV_PASSWORD"]))
        weak = _replicas(_sasl(env, user, "pw-" + user))
        try:
            scope = KIND.scope({topic: 3}, Catalog(Path("."), CTX.settings))
            entries, _ = KIND.diff({topic: 3}, KIND.observe(strong, scope), CTX)
            assert [e.action for e in entries] == ["reassign"]
            outcome = KIND.apply_with(weak, entries, ApplyOptions(wait=False))
            assert (outcome[f"replicas.{topic}"] or "").startswith(LACKS), outcome
            assert "nothing was started" in (outcome[f"replicas.{topic}"] or "")
            assert weak.kafka.requests["incremental_alter_configs"] == 0
        finally:
            strong.close()
            weak.close()

        assert _state(admin, topic) == before
    finally:
        boss.delete_acls(bindings)
        boss.alter_scram([], [ScramDelete(user, "SCRAM-SHA-512")])
        with contextlib.suppress(Exception):
            admin.delete_topics([topic])[topic].result(timeout=30)
