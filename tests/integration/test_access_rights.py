"""kgov's own rights, proven with a real limited principal: what it lacks is named, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from confluent_kafka.admin import NewTopic

from kgov.bindings import Binding
from kgov.cluster.kafka.access_port import ABSENT, HIDDEN, VISIBLE, ScramCredential, ScramDelete, ScramUpsert
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.client_settings import KafkaSettings
from kgov.errors import ClusterError
from tests.integration.access_support import (
    admin_cluster,
    admin_settings,
    bindings_of,
    scram_of,
    topics_listed,
)
from tests.integration.kgovtest import admin
from tests.support import kgov, unique_service


def limited(user: str, password: str) -> KafkaCluster:
    base = admin_settings()
    conf = {**base.client, "sasl.username": user, "sasl.password": password}
    return KafkaCluster(KafkaSettings(base.bootstrap, 10.0, conf))


def test_limited_principal_is_told_what_it_lacks() -> None:
    user = unique_service()
    seen, hidden, absent = f"{user}.seen", f"{user}.hidden", f"{user}.absent"
    for future in admin().create_topics([NewTopic(seen, 1, 1), NewTopic(hidden, 1, 1)]).values():
        future.result()
    boss = admin_cluster()
    assert topics_listed(boss, {seen, hidden})
    grants = [
        Binding(f"User:{user}", "topic", "literal", seen, "DESCRIBE"),
        Binding(f"User:{user}", "topic", "literal", absent, "DESCRIBE"),
    ]
    assert set(boss.create_acls(grants).values()) == {None}
    assert boss.alter_scram([ScramUpsert(user, "SCRAM-SHA-512", 4096, "pw-" + user)], []) == {user: None}
    assert bindings_of(boss, user, set(grants)) == set(grants)
    assert scram_of(boss, user, [ScramCredential(user, "SCRAM-SHA-512", 4096)])
    try:
        weak = limited(user, "pw-" + user)
        assert weak.cluster_operations() == frozenset()
        with pytest.raises(ClusterError) as acls:
            weak.describe_acls()
        assert acls.value.message == (
            f"kgov's principal User:{user} may not DESCRIBE cluster kafka-cluster, needed to describe ACLs"
        )
        with pytest.raises(ClusterError) as users:  # asked first: confluent-kafka would crash otherwise
            weak.describe_scram()
        assert "needed to describe SCRAM users" in users.value.message
        access = weak.topic_access([seen, hidden, absent])
        assert {n: a.state for n, a in access.items()} == {seen: VISIBLE, hidden: HIDDEN, absent: ABSENT}
        assert access[seen].operations == frozenset({"DESCRIBE"})
        assert weak.requests["describe_cluster"] == 1  # cached
        strong = admin_cluster()
        assert {"DESCRIBE", "ALTER"} <= strong.cluster_operations()
        assert strong.topic_access([hidden])[hidden].state == VISIBLE
    finally:
        boss.delete_acls(grants)
        boss.alter_scram([], [ScramDelete(user, "SCRAM-SHA-512")])


LIMITED_SETTINGS = """version: 1
policy: {replication_factor: {min: 1}, min_insync_replicas: {min: 1}, required: [owner]}
environments:
  local:
    kafka:
      bootstrap_servers: ${env:KGOV_BOOTSTRAP_SASL}
      security_protocol: SASL_PLAINTEXT
      sasl_mechanism: SCRAM-SHA-512
      username: ${env:T_LIMITED_USER}
      password: ${env:T_LIMITED_PW}
      timeout_ms: 10000
"""


def limited_catalog(root: Path, service: str, change: str = "") -> Path:
    """A topic as the test creates it; `change`: "config" drifts it, "acl" grants another principal."""
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text(LIMITED_SETTINGS, "utf-8")
    config = ", config: {retention.ms: 3600000}" if change == "config" else ""
    (root / "topics" / f"{service}.yaml").write_text(
        f"service: {service}\nowner: o\ntopics:\n"
        f"  - {{name: {service}.a, partitions: 1, replication_factor: 1{config}}}\n",
        "utf-8",
    )
    if change == "acl":
        (root / "acls").mkdir()
        (root / "acls" / f"{service}.yaml").write_text(
            f"service: {service}\nprincipal: User:{service}-app\nconsumes: [{service}.a]\n", "utf-8"
        )
    if change == "quota":  # a client quota only: no binding, no SCRAM user
        (root / "acls").mkdir()
        (root / "acls" / f"{service}.yaml").write_text(
            f"service: {service}\nprincipal: User:{service}-app\nquotas: {{producer_byte_rate: 1MiB/s}}\n",
            "utf-8",
        )
    return root


READER = [("cluster", "kafka-cluster", "DESCRIBE"), ("topic", "{s}.a", "DESCRIBE")]
READER_CONFIGS = [*READER, ("topic", "{s}.a", "DESCRIBE_CONFIGS")]
QUOTA_READER = [*READER_CONFIGS, ("cluster", "kafka-cluster", "DESCRIBE_CONFIGS")]  # reads quotas


@pytest.mark.parametrize(
    ("grants", "change", "says"),
    [
        (READER_CONFIGS[1:], "", "may not DESCRIBE cluster kafka-cluster, needed to describe SCRAM users"),
        (READER[:1], "", "may not DESCRIBE topic {s}.a: it cannot tell whether the topic exists"),
        (READER, "", "may not DESCRIBE_CONFIGS topic {s}.a: it cannot compare their configs"),
        (READER_CONFIGS, "config", "may not ALTER_CONFIGS topic {s}.a: the plan's changes need it"),
        (READER_CONFIGS, "acl", "may not ALTER cluster kafka-cluster, needed to create and delete ACL"),
        (QUOTA_READER, "quota", "may not ALTER_CONFIGS cluster kafka-cluster, needed to change client quota"),
        (READER_CONFIGS, "", ""),  # a read-only principal plans what needs no write: no changes
    ],
    ids=[
        "no-cluster-describe",
        "hidden",
        "no-describe-configs",
        "no-alter-configs",
        "no-alter",
        "no-quota-alter",
        "reader",
    ],
)
def test_plan_stops_naming_what_kgov_lacks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    grants: list[tuple[str, str, str]],
    change: str,
    says: str,
) -> None:
    svc = unique_service()
    user = svc + "-kgov"  # not part of any topic name: kgov redacts resolved settings from errors
    admin().create_topics([NewTopic(f"{svc}.a", 1, 1)])[f"{svc}.a"].result()
    boss = admin_cluster()
    assert topics_listed(boss, {f"{svc}.a"})
    bindings = [Binding(f"User:{user}", rt, "literal", name.format(s=svc), op) for rt, name, op in grants]
    boss.create_acls(bindings)
    boss.alter_scram([ScramUpsert(user, "SCRAM-SHA-512", 4096, "pw-" + user)], [])
    monkeypatch.setenv("T_LIMITED_USER", user)
    monkeypatch.setenv("T_LIMITED_PW", "pw-" + user)
    assert bindings_of(boss, user, set(bindings)) == set(bindings)
    assert scram_of(boss, user, [ScramCredential(user, "SCRAM-SHA-512", 4096)])
    try:
        catalog = limited_catalog(tmp_path / "c", svc, change)
        result = kgov("plan", "--env", "local", "-c", str(catalog), "--detailed-exitcode")
        if not says:
            assert result.code == 0 and "No changes" in result.output, result.output
            return
        assert result.code == 1, result.output
        # the user name came from ${env:}: named by its reference, never by its value
        shown = "User:${env:T_LIMITED_USER}"
        assert f"kgov's principal {shown} {says.format(s=svc)}" in result.output, result.output
        assert user not in result.output, result.output
        assert "Plan:" not in result.output and "+ topic" not in result.output
    finally:
        boss.delete_acls(bindings)
        boss.alter_scram([], [ScramDelete(user, "SCRAM-SHA-512")])
