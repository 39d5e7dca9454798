"""`kgov import` is served by the kinds: the toy kind (tests/unit/kinds/toy/), given `Imports` by a
mixin and passed in with the registry's kinds, writes its files beside the topics' with no edit in
kgov/ (the command asks each kind that declares the capability, in order, and names none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgov.commands.importer import run_import
from kgov.errors import KgovError
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from tests.support import topic_doc, write_catalog
from tests.unit.kinds.toy.kind import BudgetKind, ToyKafka


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KGOV_BOOTSTRAP_SASL", "KGOV_USERNAME", "KGOV_PASSWORD"):
        monkeypatch.setenv(name, "x")


def _cluster() -> ToyKafka:
    cluster = ToyKafka()
    cluster.add_topic("svc.a", 1, 1)  # in the catalog
    cluster.add_topic("billing.paid", 1, 1)  # imported by the topic kind
    cluster.toy.budgets.update({"User:billing": 10, "User:ops": 20, "User:audit": 5, "Group:ops": 1})
    return cluster  # User:billing's budget is the toy's desired one: not imported


def test_the_toy_kind_imports_its_files_beside_the_topics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    cluster = _cluster()
    kinds = (*KINDS, BudgetKind())
    assert run_import(catalog, "local", out_dir=catalog, backends=Backends(kafka=cluster), kinds=kinds) == 0
    assert sorted(p.name for p in (catalog / "topics").iterdir()) == ["billing.yaml", "svc.yaml"]
    assert sorted(p.name for p in (catalog / "budgets").iterdir()) == ["audit.yaml", "ops.yaml"]
    assert (catalog / "budgets" / "ops.yaml").read_text() == "principal: User:ops\nrate: 20\n"
    assert cluster.toy.requests == ["describe_budgets"]  # one read for every budget
    said = capsys.readouterr().out
    assert (
        "Not imported: the budgets of 1 principal(s):\n  Group:ops: a catalog principal is User:<name>"
        in said
    )
    wrote = [
        line.split(" (")[0].removeprefix(f"wrote {catalog}/") for line in said.splitlines() if "wrote" in line
    ]
    assert wrote == [
        "topics/billing.yaml",
        "budgets/audit.yaml",
        "budgets/ops.yaml",
        "editor-schemas/topics.schema.json",
    ]
    assert f"wrote {catalog / 'budgets' / 'ops.yaml'} (User:ops at 20 KB/s)" in said
    assert "Imported 1 topics of 1 services, the ACL bindings of 0 principals, and 2 budgets." in said


def test_an_existing_target_of_the_toy_kind_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    out = tmp_path / "out"
    (out / "budgets").mkdir(parents=True)
    (out / "budgets" / "ops.yaml").write_text("keep me")
    kinds = (*KINDS, BudgetKind())
    with pytest.raises(KgovError) as refused:
        run_import(catalog, "local", out_dir=out, backends=Backends(kafka=_cluster()), kinds=kinds)
    assert refused.value.message.startswith(f"refusing to overwrite {out / 'budgets' / 'ops.yaml'}")
    assert sorted(p.name for p in out.iterdir()) == ["budgets"]  # the topics' file is not written either
    assert (out / "budgets" / "ops.yaml").read_text() == "keep me"


def test_nothing_to_import_names_every_importing_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    cluster = ToyKafka()
    cluster.add_topic("svc.a", 1, 1)
    kinds = (*KINDS, BudgetKind())
    assert run_import(catalog, "local", out_dir=catalog, backends=Backends(kafka=cluster), kinds=kinds) == 0
    assert capsys.readouterr().out == (
        "Nothing to import: every unprotected topic, every principal's ACL bindings and every budget "
        "on the cluster are in the catalog already.\n"
    )
