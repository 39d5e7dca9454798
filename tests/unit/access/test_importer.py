"""Import of unmanaged principals: shorthand where it fits, explicit acls otherwise, exact round trip."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from kgov.bindings import Binding
from kgov.catalog.grants import bindings_for
from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.access_port import ScramCredential
from kgov.kinds.access_import import import_access, undeclarable
from kgov.policy import lint
from tests.unit.access.test_random_convergence import TOPICS, random_file


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


def test_produces_and_consumes_only_name_catalog_topics(tmp_path: Path) -> None:
    both = {
        b("User:etl", "topic", "etl.known", op) for op in ("READ", "WRITE", "DESCRIBE")
    } | {b("User:etl", "topic", "elsewhere", op) for op in ("READ", "DESCRIBE")}
    files = import_access(both, {}, (), topics={"etl.known"})
    text = files[0].text
    assert "produces:\n- etl.known\n" in text and "consumes:\n- etl.known\n" in text
    assert "name: elsewhere" in text and "consumes:\n- elsewhere" not in text  # not a catalog topic
    assert roundtrip(tmp_path, both)  # the same bindings, whichever way they are said


def test_a_deny_that_would_cancel_the_shorthand_keeps_the_grant_explicit(tmp_path: Path) -> None:
    """lint (acl-deny-shadows) refuses a deny that cancels the file's own shorthand."""
    have = {
        b("User:ro", "topic", "ro.t", "READ"),
        b("User:ro", "topic", "ro.t", "WRITE"),
        b("User:ro", "topic", "ro.t", "DESCRIBE"),
        b("User:ro", "topic", "ro.", "WRITE", "prefixed", perm="deny", host="10.1.2.3"),
        b("User:ro", "group", "ro", "READ"),
        b("User:ro", "group", "ro", "DESCRIBE"),
        b("User:ro", "cluster", "kafka-cluster", "IDEMPOTENT_WRITE"),
        b("User:ro", "cluster", "kafka-cluster", "ALL", perm="deny"),
    }
    text = roundtrip(tmp_path, have)["ro"]
    assert "consumes:\n- ro.t\n" in text and "produces" not in text
    doc = yaml.safe_load(text)
    assert doc["consumer_groups"] == ["ro"]
    explicit = {(a["resource"], a["name"], a["permission"], o) for a in doc["acls"] for o in a["operations"]}
    assert explicit == {
        ("group", "ro", "allow", "describe"),  # what consumer_groups does not say
        ("topic", "ro.t", "allow", "write"),  # cancelled by the deny: produces would fail lint
        ("topic", "ro.", "deny", "write"),
        ("cluster", "kafka-cluster", "allow", "idempotent_write"),  # cancelled by the deny of ALL
        ("cluster", "kafka-cluster", "deny", "all"),
    }
    assert "idempotent:" not in text
    lint_tree(tmp_path, "ro.t")
    errors = [d.rule for d in lint(load_catalog(tmp_path)) if d.is_error and "acls" in d.location.file]
    assert errors == []
    naive = text.replace("consumes:", "produces:\n- ro.t\nconsumes:")  # what a plain recovery would say
    (tmp_path / "acls" / "ro.yaml").write_text(naive, "utf-8")
    errors = [d.rule for d in lint(load_catalog(tmp_path)) if d.is_error and "acls" in d.location.file]
    assert errors == ["acl-deny-shadows"]


def test_transactional_ids_only_in_the_form_the_shorthand_derives(tmp_path: Path) -> None:
    have = {
        b("User:tx", "transactional_id", "tx-a", "WRITE"),
        b("User:tx", "transactional_id", "tx-a", "DESCRIBE"),
        b("User:tx", "transactional_id", "tx.b", "WRITE", "prefixed"),  # a prefix without '-': explicit
        b("User:tx", "transactional_id", "tx.b", "DESCRIBE", "prefixed"),
        b("User:tx", "transactional_id", "tx-c-", "WRITE", "prefixed"),  # WRITE only: explicit
    }
    text = roundtrip(tmp_path, have)["tx"]
    assert "transactional_ids:\n- tx-a\n" in text
    assert "name: tx.b" in text and "name: tx-c-" in text


def test_principals_a_catalog_cannot_declare_are_left_out_whole() -> None:
    have = {
        b("Group:ops", "topic", "ops.t", "READ"),
        b("User:tok", "delegation_token", "x", "DESCRIBE"),
        b("User:tok", "topic", "tok.t", "READ"),
        b("User:named", "topic", "n.t", "READ", host="app1.local"),
        b("User:fine", "topic", "f.t", "READ"),
    }
    why = undeclarable(have, ())
    assert set(why) == {"Group:ops", "User:tok", "User:named"}
    assert "User:<name>" in why["Group:ops"] and "delegation_token" in why["User:tok"]
    assert "app1.local" in why["User:named"]
    assert [f.principal for f in import_access(have, {}, ())] == ["User:fine"]
    assert undeclarable(have, ("Group:ops", "User:tok", "User:named")) == {}


def lint_tree(root: Path, *topics: str) -> None:
    (root / "topics").mkdir()
    body = "".join(f"  - {{name: {t}, partitions: 1, replication_factor: 3}}\n" for t in topics)
    (root / "topics" / "ro.yaml").write_text(f"service: ro\nowner: o\ntopics:\n{body}", "utf-8")


@pytest.mark.parametrize("seed", range(30))
def test_random_principals_import_exactly_and_lint_clean(tmp_path: Path, seed: int) -> None:
    """Whatever bindings random access files grant (denies, hosts, prefixes included), the imported
    files grant exactly those of the principals a catalog can declare, and lint finds no error in
    them (the random files may hold operations of no resource type, such as READ on a transactional
    id: their principals are left out whole)."""
    rng = random.Random(seed)
    files = [random_file(rng, i) for i in range(4)]
    have = set().union(*(bindings_for(f, "any") for f in files))
    catalog_topics = set(rng.sample(TOPICS, 6))  # some topics the bindings name are not in the catalog
    imported = import_access(have, {}, (), topics=catalog_topics)
    left_out = undeclarable(have, ())
    assert {f.principal for f in imported} | set(left_out) == {b.principal for b in have}
    (tmp_path / "acls").mkdir()
    (tmp_path / "topics").mkdir()
    (tmp_path / "kgov.yaml").write_text(
        "version: 1\npolicy: {replication_factor: {min: 1}, min_insync_replicas: {min: 1}}\n", "utf-8"
    )
    body = "".join(
        f"  - {{name: {t}, partitions: 1, replication_factor: 1}}\n"
        for t in sorted(catalog_topics)
    )
    (tmp_path / "topics" / "t.yaml").write_text(f"service: t\nowner: o\ntopics:\n{body}", "utf-8")
    for f in imported:
        (tmp_path / "acls" / f"{f.service}.yaml").write_text(f.text, "utf-8")
    loaded = load_catalog(tmp_path)
    assert [d.message for d in loaded.diagnostics] == []
    got = set().union(*(bindings_for(af, "any") for af in loaded.catalog.access_files))
    assert got == {b for b in have if b.principal not in left_out}
    errors = [(d.rule, d.message) for d in lint(loaded) if d.is_error and "/acls/" in d.location.file]
    assert errors == []
