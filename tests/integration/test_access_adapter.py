"""The access part of the Kafka port against the real broker: ACLs and SCRAM credentials."""

from __future__ import annotations

from kgov.bindings import Binding
from kgov.cluster.kafka.access_port import ScramCredential, ScramDelete, ScramUpsert
from kgov.cluster.kafka.adapter.base import BATCH
from tests.integration.access_support import admin_cluster, bindings_of, scram_of
from tests.support import unique_service


def test_delete_removes_exactly_the_named_binding_and_leaves_look_alikes() -> None:
    svc = unique_service()
    who = f"User:{svc}"
    target = Binding(who, "topic", "literal", f"{svc}.a", "WRITE", "allow", "*")
    look_alikes = [
        Binding(who, "topic", "prefixed", f"{svc}.a", "WRITE", "allow", "*"),  # other pattern
        Binding(who, "topic", "literal", f"{svc}.a", "WRITE", "allow", "10.1.2.3"),  # other host
        Binding(who, "topic", "literal", f"{svc}.a", "WRITE", "deny", "*"),  # other permission
        Binding(who, "topic", "literal", f"{svc}.a", "ALL", "allow", "*"),  # other operation
        Binding(who, "topic", "literal", "*", "WRITE", "allow", "*"),  # the wildcard topic
        Binding(
            f"User:{svc}-other", "topic", "literal", f"{svc}.a", "WRITE", "allow", "*"
        ),  # other principal
        Binding(who, "group", "literal", f"{svc}.a", "READ", "allow", "*"),  # other resource type
    ]
    cluster = admin_cluster()
    created = cluster.create_acls([target, *look_alikes])
    assert set(created.values()) == {None}
    assert set(created) == {b.address for b in [target, *look_alikes]}
    assert bindings_of(cluster, svc, {target, *look_alikes}) == {target, *look_alikes}

    assert cluster.delete_acls([target]) == {target.address: None}

    assert bindings_of(cluster, svc, set(look_alikes)) == set(look_alikes)
    assert set(cluster.delete_acls(look_alikes).values()) == {None}
    assert bindings_of(cluster, svc, set()) == set()


def test_describe_acls_is_one_request_whatever_the_count() -> None:
    svc = unique_service()
    many = [Binding(f"User:{svc}", "topic", "literal", f"{svc}.{i}", "READ") for i in range(BATCH)]
    cluster = admin_cluster()
    assert set(cluster.create_acls(many).values()) == {None}
    assert cluster.requests["create_acls"] == 1  # one batch
    assert bindings_of(admin_cluster(), svc, set(many)) == set(many)
    seen = cluster.describe_acls()
    assert cluster.requests["describe_acls"] == 1
    assert set(many) <= set(seen)
    cluster.delete_acls(many)
    assert cluster.requests["delete_acls"] == 1


def test_scram_upsert_update_and_delete() -> None:
    user = unique_service()
    cluster = admin_cluster()
    out = cluster.alter_scram([ScramUpsert(user, "SCRAM-SHA-256", 4096, "pw-" + user)], [])
    assert out == {user: None}
    assert scram_of(cluster, user, [ScramCredential(user, "SCRAM-SHA-256", 4096)])

    assert cluster.alter_scram([ScramUpsert(user, "SCRAM-SHA-256", 8192, "pw2-" + user)], []) == {user: None}
    assert scram_of(cluster, user, [ScramCredential(user, "SCRAM-SHA-256", 8192)])

    assert cluster.alter_scram([], [ScramDelete(user, "SCRAM-SHA-256")]) == {user: None}
    assert scram_of(cluster, user, [])
    assert cluster.requests["describe_user_scram_credentials"] == 3


def test_bad_scram_change_is_reported_per_user() -> None:
    user = unique_service()
    out = admin_cluster().alter_scram([ScramUpsert(user, "SCRAM-SHA-512", 100, "x")], [])
    assert out == {user: "UNACCEPTABLE_CREDENTIAL: Too few iterations"}
