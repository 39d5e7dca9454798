"""kgov import on the in-memory cluster: what it writes, what it leaves alone, what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kgov.bindings import Binding
from kgov.catalog.model import DEFAULT_TOPIC_NAME
from kgov.cluster.kafka.access_port import ScramUpsert
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.importer import run_import
from kgov.commands.plan import run_plan
from kgov.errors import KgovError
from kgov.kinds.base import Backends
from kgov.kinds.topics.imports import service_of
from tests.support import topic_doc, write_catalog


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KGOV_BOOTSTRAP_SASL", "KGOV_USERNAME", "KGOV_PASSWORD"):
        monkeypatch.setenv(name, "x")


def _cluster() -> MemoryCluster:
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("svc.a", 1, 1)  # in the catalog
    cluster.add_topic("svc.orphan", 1, 1)  # in an owned prefix: not imported
    cluster.add_topic("__consumer_offsets", 50, 1)  # protected
    cluster.add_topic("billing.paid", 3, 1, **{"retention.ms": "86400000", "cleanup.policy": "compact"})
    cluster.add_topic("billing.refunded", 2, 1)
    cluster.add_topic("legacy_events", 1, 1)
    return cluster


def test_import_writes_unowned_unprotected_topics_and_the_next_plan_is_clean_for_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    cluster = _cluster()
    assert run_import(catalog, "local", out_dir=catalog, backends=Backends(kafka=cluster)) == 0
    billing = yaml.safe_load((catalog / "topics" / "billing.yaml").read_text())
    assert billing["service"] == "billing" and billing["owner"] == "unassigned"
    assert [t["name"] for t in billing["topics"]] == ["billing.paid", "billing.refunded"]
    assert billing["topics"][0]["config"] == {"cleanup.policy": "compact", "retention.ms": 86400000}
    assert sorted(p.name for p in (catalog / "topics").iterdir()) == [
        "billing.yaml",
        "legacy.yaml",
        "svc.yaml",
    ]
    out = capsys.readouterr().out
    assert "topic-name-pattern" in out  # legacy_events breaks the naming policy: said at once
    (catalog / "topics" / "legacy.yaml").unlink()
    assert run_plan(catalog, "local", backends=Backends(kafka=cluster), detailed_exitcode=True) == 0


def test_import_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    out = tmp_path / "out"
    (out / "topics").mkdir(parents=True)
    (out / "topics" / "billing.yaml").write_text("keep me")
    with pytest.raises(KgovError, match="refusing to overwrite"):
        run_import(catalog, "local", out_dir=out, backends=Backends(kafka=_cluster()))
    assert sorted(p.name for p in (out / "topics").iterdir()) == ["billing.yaml"]
    assert (out / "topics" / "billing.yaml").read_text() == "keep me"


@pytest.mark.parametrize(
    "name, service",
    [
        ("orders.created", "orders"),
        ("legacy_events", "legacy"),
        ("Billing.Paid", "billing"),
        ("9lives.x", "svc-9lives"),
    ],
)
def test_service_of(name: str, service: str) -> None:
    assert service_of(name, DEFAULT_TOPIC_NAME) == service


def test_import_leaves_what_plan_owns_alone_including_an_acl_only_services_prefix(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    (catalog / "acls").mkdir()
    (catalog / "acls" / "audit.yaml").write_text("service: audit\nprincipal: User:audit\n")
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic(
        "audit.trail", 1, 1
    )  # owned by audit's prefix: plan may delete it, import must not adopt it
    cluster.add_topic("billing.paid", 1, 1)
    out = tmp_path / "out"
    assert run_import(catalog, "local", out_dir=out, backends=Backends(kafka=cluster)) == 0
    assert sorted(p.name for p in (out / "topics").iterdir()) == ["billing.yaml"]


def _principals(cluster: MemoryCluster) -> None:
    def grant(who: str, rtype: str, name: str, *ops: str, **kw: str) -> None:
        pattern, perm = kw.get("pattern", "literal"), kw.get("perm", "allow")
        cluster.acls.update(Binding(who, rtype, pattern, name, op, perm) for op in ops)

    grant("User:billing", "topic", "billing.paid", "WRITE", "DESCRIBE")
    grant("User:billing", "topic", "svc.a", "READ", "DESCRIBE")  # a topic the catalog had already
    grant("User:billing", "group", "billing", "READ")
    grant("User:billing", "topic", "billing.", "DELETE", pattern="prefixed", perm="deny")
    grant("User:billing", "topic", "other.x", "READ", "DESCRIBE")  # not a catalog topic: explicit
    grant("User:x", "topic", "svc.", "ALL", pattern="prefixed")  # kgov's own principal (KGOV_USERNAME)
    grant("User:svc", "topic", "svc.a", "WRITE", "DESCRIBE")  # declared by the catalog: managed
    grant("Group:ops", "topic", "svc.a", "READ")  # no catalog can declare it
    cluster.alter_scram([ScramUpsert("billing", "SCRAM-SHA-256", 8192, "pw")], [])


def test_import_writes_the_acls_of_unmanaged_principals_and_the_next_plan_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    (catalog / "acls").mkdir()
    (catalog / "acls" / "svc.yaml").write_text("service: svc\nprincipal: User:svc\nproduces: [svc.a]\n")
    cluster = _cluster()
    _principals(cluster)
    assert run_import(catalog, "local", out_dir=catalog, backends=Backends(kafka=cluster)) == 0
    assert sorted(p.name for p in (catalog / "acls").iterdir()) == ["billing.yaml", "svc.yaml"]
    billing = yaml.safe_load((catalog / "acls" / "billing.yaml").read_text())
    assert billing["principal"] == "User:billing"
    assert billing["authentication"] == {
        "scram": {"mechanism": "SCRAM-SHA-256", "password": "${env:BILLING_PASSWORD}", "iterations": 8192}
    }
    assert (billing["produces"], billing["consumes"], billing["consumer_groups"]) == (
        ["billing.paid"], ["svc.a"], ["billing"]
    )  # fmt: skip
    explicit = [(a["name"], a["permission"]) for a in billing["acls"]]
    assert explicit == [("billing.", "deny"), ("other.x", "allow")]
    out = capsys.readouterr().out
    assert "Group:ops: a catalog principal is User:<name>" in out and "User:x" not in out
    (catalog / "topics" / "legacy.yaml").unlink()  # breaks the naming policy (the topics test above)
    assert run_plan(catalog, "local", backends=Backends(kafka=cluster), detailed_exitcode=True) == 0


def test_import_refuses_to_overwrite_an_acls_file_and_writes_nothing(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    out = tmp_path / "out"
    (out / "acls").mkdir(parents=True)
    (out / "acls" / "billing.yaml").write_text("keep me")
    cluster = _cluster()
    _principals(cluster)
    with pytest.raises(KgovError) as refused:
        run_import(catalog, "local", out_dir=out, backends=Backends(kafka=cluster))
    assert refused.value.message.startswith(f"refusing to overwrite {out / 'acls' / 'billing.yaml'}")
    assert sorted(p.name for p in out.iterdir()) == ["acls"]  # no topics/ either
    assert (out / "acls" / "billing.yaml").read_text() == "keep me"


def test_principal_names_from_the_cluster_are_printed_as_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = MemoryCluster(brokers=1)
    cluster.acls.add(Binding("User:[bold]x[/bold]", "group", "literal", "g", "READ"))
    cluster.acls.add(Binding("User:y\x1b[2J", "group", "literal", "g", "READ"))  # not declarable
    assert run_import(catalog, "local", out_dir=tmp_path / "out", backends=Backends(kafka=cluster)) == 0
    out = capsys.readouterr().out
    assert "(User:[bold]x[/bold], 1 binding)" in out  # not taken for markup
    assert "User:y\\x1b[2J: a catalog principal is User:<name>" in out and "\x1b" not in out
