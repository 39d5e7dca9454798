"""The in-memory twin of the access port keeps Kafka's rules the kinds rely on."""

from __future__ import annotations

from kgov.bindings import Binding
from kgov.cluster.kafka.access_port import ScramCredential, ScramDelete, ScramUpsert
from kgov.cluster.memory.kafka import MemoryCluster


def test_acls_create_describe_delete_exact() -> None:
    c = MemoryCluster()
    a = Binding("User:a", "topic", "literal", "t", "READ")
    b = Binding("User:a", "topic", "prefixed", "t", "READ")
    assert c.create_acls([a, b]) == {a.address: None, b.address: None}
    assert c.delete_acls([a]) == {a.address: None}
    assert c.describe_acls() == [b]
    assert c.requests == ["create_acls", "delete_acls", "describe_acls"]


def test_scram_rules_and_login() -> None:
    c = MemoryCluster()
    out = c.alter_scram(
        [ScramUpsert("a", "SCRAM-SHA-512", 4096, "pa"), ScramUpsert("b", "SCRAM-SHA-512", 10, "pb")], []
    )
    assert out == {"a": None, "b": "UNACCEPTABLE_CREDENTIAL: Too few iterations"}
    assert c.describe_scram() == {"a": [ScramCredential("a", "SCRAM-SHA-512", 4096)]}
    assert c.login("a", "SCRAM-SHA-512", "pa") and not c.login("a", "SCRAM-SHA-512", "wrong")
    assert c.alter_scram([], [ScramDelete("a", "SCRAM-SHA-256")])["a"] is not None
    assert c.alter_scram([], [ScramDelete("a", "SCRAM-SHA-512")]) == {"a": None}
    assert c.describe_scram() == {}


def test_upsert_repr_hides_the_password() -> None:
    assert "secret-pw" not in repr(ScramUpsert("a", "SCRAM-SHA-512", 4096, "secret-pw"))
