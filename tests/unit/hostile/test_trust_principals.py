"""Probe holes 3 and 4 (issue 18): the catalog cannot manage kgov's own login, and the pii gate
judges every environment's principal (User:ANONYMOUS counts as everyone)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.errors import PlanError
from kgov.kinds.base import Backends
from tests.support import SETTINGS, kgov, topic_doc, write_catalog


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGOV_BOOTSTRAP_SASL", "127.0.0.1:1")
    monkeypatch.setenv("KGOV_USERNAME", "admin")
    monkeypatch.setenv("KGOV_PASSWORD", "hunter2-very-secret")


def _acl(cat: Path, name: str, doc: dict[str, object]) -> None:
    (cat / "acls").mkdir(exist_ok=True)
    (cat / "acls" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


OWN = {
    "service": "admin",
    "principal": "User:admin",
    "authentication": {"scram": {"mechanism": "SCRAM-SHA-512", "password": "${env:HOME}"}},
    "produces": ["orders.a"],
}


def test_lint_refuses_kgovs_own_principal_when_the_user_name_is_written(tmp_path: Path) -> None:
    settings = copy.deepcopy(SETTINGS)
    settings["environments"]["local"]["kafka"]["username"] = "admin"
    cat = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.a")]}, **settings)
    _acl(cat, "admin", OWN)
    result = kgov("lint", str(cat), "--format", "json")
    assert result.code == 1
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "kgov-own-principal"]
    assert [(Path(d["file"]).name, d["line"]) for d in found] == [("admin.yaml", 2)]


def test_lint_refuses_it_as_an_environments_principal_too(tmp_path: Path) -> None:
    settings = copy.deepcopy(SETTINGS)
    settings["environments"]["local"]["kafka"]["username"] = "admin"
    cat = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.a")]}, **settings)
    _acl(
        cat,
        "orders",
        {"service": "orders", "principal": "User:orders", "principals": {"local": "User:admin"}},
    )
    result = kgov("lint", str(cat))
    assert result.code == 1
    assert "kgov-own-principal" in result.output


def test_plan_blocks_every_change_to_kgovs_own_login_and_apply_changes_nothing(
    tmp_path: Path, env: None
) -> None:
    """The user name is a reference (${env:KGOV_USERNAME}): only the plan knows it is `admin`."""
    cat = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.a")]})
    _acl(cat, "admin", OWN)
    cluster = MemoryCluster(brokers=1)
    out = tmp_path / "plan.json"
    assert run_plan(cat, "local", backends=Backends(kafka=cluster), out=out) == 1
    entries = json.loads(out.read_text())["resource_changes"]
    mine = [e for e in entries if e["kind"] in ("user", "acl")]
    assert mine and all(e["action"] == "blocked" for e in mine)
    assert all("kgov logs in as" in e["reason"] for e in mine)
    with pytest.raises(PlanError, match="blocked"):
        run_apply(cat, "local", auto_approve=True, backends=Backends(kafka=cluster))
    assert cluster.scram == {} and cluster.acls == set()
    assert "orders.a" not in cluster.topics  # nothing half-applied


def test_a_scram_user_named_anonymous_is_refused(tmp_path: Path) -> None:
    cat = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.a")]})
    _acl(cat, "anon", {**OWN, "service": "anon", "principal": "User:ANONYMOUS"})
    result = kgov("lint", str(cat))
    assert result.code == 1
    assert "kgov-own-principal" in result.output


def _pii_catalog(tmp_path: Path) -> Path:
    topics = [{**topic_doc("users.profile"), "classification": "pii"}]
    settings = copy.deepcopy(SETTINGS)
    settings["environments"]["prod"] = copy.deepcopy(settings["environments"]["local"])
    return write_catalog(tmp_path / "catalog", {"users": topics}, **settings)


@pytest.mark.parametrize("envs", [(), ("--env", "prod")])
def test_a_wildcard_principal_for_one_environment_cannot_read_pii(
    tmp_path: Path, envs: tuple[str, ...]
) -> None:
    cat = _pii_catalog(tmp_path)
    doc = {"service": "analytics", "principal": "User:analytics", "principals": {"prod": "User:*"}}
    _acl(cat, "analytics", {**doc, "consumes": ["users.profile"]})
    result = kgov("lint", str(cat), *envs)
    assert result.code == 1
    assert "pii-wildcard-read" in result.output and "environment 'prod'" in result.output


@pytest.mark.parametrize("where", ["principal", "principals"])
def test_anonymous_cannot_read_pii(tmp_path: Path, where: str) -> None:
    cat = _pii_catalog(tmp_path)
    doc: dict[str, object] = {
        "service": "anyone",
        "principal": "User:ANONYMOUS",
        "consumes": ["users.profile"],
    }
    if where == "principals":
        doc["principal"], doc["principals"] = "User:anyone", {"prod": "User:ANONYMOUS"}
    _acl(cat, "anyone", doc)
    result = kgov("lint", str(cat))
    assert result.code == 1
    assert "pii-wildcard-read" in result.output and "User:ANONYMOUS" in result.output


def test_a_named_principal_may_read_pii(tmp_path: Path) -> None:
    cat = _pii_catalog(tmp_path)
    _acl(
        cat,
        "analytics",
        {"service": "analytics", "principal": "User:analytics", "consumes": ["users.profile"]},
    )
    result = kgov("lint", str(cat))
    assert "pii-wildcard-read" not in result.output
