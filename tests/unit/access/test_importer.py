"""Import of unmanaged principals: shorthand where it fits, explicit acls otherwise, exact round trip."""

from __future__ import annotations

from pathlib import Path

from kgov.access.binding import Binding
from kgov.access.derive import bindings_for
from kgov.access.importer import import_access
from kgov.catalog.load import load_catalog
from kgov.cluster.access_port import ScramCredential


def b(
    principal: str,
    rtype: str,
    name: str,
    op: str,
    pattern: str = "literal",
    perm: str = "allow",
    host: str = "*",
) -> Binding:
    return Binding(principal, rtype, pattern, name, op, perm, host)


LEGACY = {
    b("User:legacy", "topic", "legacy.out", "WRITE"),
    b("User:legacy", "topic", "legacy.out", "DESCRIBE"),
    b("User:legacy", "topic", "orders.created", "READ"),
    b("User:legacy", "topic", "orders.created", "DESCRIBE"),
    b("User:legacy", "group", "legacy", "READ"),
    b("User:legacy", "transactional_id", "legacy-", "WRITE", "prefixed"),
    b("User:legacy", "transactional_id", "legacy-", "DESCRIBE", "prefixed"),
    b("User:legacy", "topic", "legacy.", "DESCRIBE_CONFIGS", "prefixed"),
}
ODD = {
    b("User:CN=bi,OU=x", "cluster", "kafka-cluster", "IDEMPOTENT_WRITE"),
    b("User:CN=bi,OU=x", "topic", "bi.only-write", "WRITE"),  # WRITE without DESCRIBE: explicit
    b("User:CN=bi,OU=x", "topic", "secret", "READ", perm="deny", host="10.0.0.9"),
    b("User:CN=bi,OU=x", "transactional_id", "tx-", "WRITE"),  # literal ending in '-': explicit
    b("User:CN=bi,OU=x", "transactional_id", "tx-", "DESCRIBE"),
}


def roundtrip(tmp: Path, bindings: set[Binding], **kw: object) -> dict[str, str]:
    files = import_access(bindings, kw.get("scram", {}), kw.get("managed", ()), kw.get("taken", ()))  # type: ignore[arg-type]
    (tmp / "acls").mkdir()
    (tmp / "kgov.yaml").write_text("version: 1\n", "utf-8")
    for f in files:
        (tmp / "acls" / f"{f.service}.yaml").write_text(f.text, "utf-8")
    loaded = load_catalog(tmp)
    assert [d.message for d in loaded.diagnostics] == []
    got = set().union(*(bindings_for(af, "any") for af in loaded.catalog.access_files))
    assert got == {x for x in bindings if x.principal not in set(kw.get("managed", ()))}  # type: ignore[arg-type]
    return {f.service: f.text for f in files}


def test_shorthand_is_recovered_where_it_matches(tmp_path: Path) -> None:
    texts = roundtrip(tmp_path, LEGACY, scram={"legacy": [ScramCredential("legacy", "SCRAM-SHA-256", 8192)]})
    text = texts["legacy"]
    assert "produces:\n- legacy.out\n" in text
    assert "consumes:\n- orders.created\n" in text
    assert "consumer_groups:\n- legacy\n" in text
    assert "transactional_ids:\n- legacy-\n" in text
    assert "password: ${env:LEGACY_PASSWORD}" in text and "iterations: 8192" in text
    assert "operations:\n  - describe_configs" in text


def test_what_the_shorthand_cannot_say_is_explicit(tmp_path: Path) -> None:
    texts = roundtrip(tmp_path, ODD)
    text = texts["cn-bi-ou-x"]
    assert "idempotent: true" not in text  # it writes a topic: IDEMPOTENT_WRITE must stay explicit
    assert "- idempotent_write" in text
    assert "permission: deny" in text and "host: 10.0.0.9" in text
    assert "transactional_ids" not in text


def test_managed_principals_are_left_out_and_names_do_not_clash(tmp_path: Path) -> None:
    texts = roundtrip(tmp_path, LEGACY | ODD, managed=["User:CN=bi,OU=x"], taken=["legacy"])
    assert list(texts) == ["legacy-2"]


def test_idempotent_shorthand_when_it_is_what_derivation_gives(tmp_path: Path) -> None:
    reader = {
        b("User:reader", "cluster", "kafka-cluster", "IDEMPOTENT_WRITE"),
        b("User:reader", "group", "reader", "READ"),
    }
    assert "idempotent: true" in roundtrip(tmp_path, reader)["reader"]
