"""kgov's own rights, proven with a real limited principal: what it lacks is named, never guessed."""

from __future__ import annotations

import time

import pytest
from confluent_kafka.admin import NewTopic

from kgov.access.binding import Binding
from kgov.cluster.access_port import ABSENT, HIDDEN, VISIBLE, ScramDelete, ScramUpsert
from kgov.cluster.connect import KafkaSettings
from kgov.cluster.kafka import KafkaCluster
from kgov.errors import ClusterError
from tests.integration.access_support import admin_cluster, admin_settings
from tests.integration.kgovtest import admin
from tests.support import unique_service


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
    grants = [
        Binding(f"User:{user}", "topic", "literal", seen, "DESCRIBE"),
        Binding(f"User:{user}", "topic", "literal", absent, "DESCRIBE"),
    ]
    assert set(boss.create_acls(grants).values()) == {None}
    assert boss.alter_scram([ScramUpsert(user, "SCRAM-SHA-512", 4096, "pw-" + user)], []) == {user: None}
    time.sleep(0.5)
    try:
        weak = limited(user, "pw-" + user)
        assert weak.cluster_operations() == frozenset()
        with pytest.raises(ClusterError) as acls:
            weak.describe_acls()
        assert acls.value.message == (
            f"kgov's principal ({user}) lacks DESCRIBE on the cluster resource kafka-cluster, "
            "needed to describe ACLs"
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
