"""`kgov diff --base`: the base catalog keeps the cluster files git did not change (the working
tree's objects are reused for unchanged files): an unchanged catalog/cluster/<env>.yaml is no change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.gitrepo import commit, init
from tests.support import kgov

REPO = Path(__file__).resolve().parents[3]


def test_an_unchanged_cluster_file_is_no_change(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    shutil.copytree(REPO / "catalog", repo / "catalog")
    (repo / "catalog" / "cluster").mkdir(exist_ok=True)
    (repo / "catalog" / "cluster" / "local.yaml").write_text("settings:\n  log.cleaner.threads: 2\n")
    commit(repo, "base")
    acl = repo / "catalog" / "acls" / "inventory.yaml"
    acl.write_text(acl.read_text().replace("orders.cancelled]", "payments.authorized]"))
    result = kgov("diff", "--base", "HEAD", "--catalog", str(repo / "catalog"), "--format", "json")
    assert result.code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert changes and not [c for c in changes if c["kind"] == "broker"]


def test_a_changed_broker_setting_is_located_in_its_cluster_file(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    shutil.copytree(REPO / "catalog", repo / "catalog")
    cluster = repo / "catalog" / "cluster" / "local.yaml"
    cluster.parent.mkdir(exist_ok=True)
    cluster.write_text(
        "settings:\n  log.cleaner.threads: 2\nbrokers:\n  1: {settings: {num.io.threads: 8}}\n"
    )
    commit(repo, "base")
    cluster.write_text(
        "settings:\n  log.cleaner.threads: 3\nbrokers:\n  1: {settings: {num.io.threads: 9}}\n"
    )
    result = kgov("diff", "--base", "HEAD", "--catalog", str(repo / "catalog"), "--format", "json")
    assert result.code == 0, result.output
    found = {c["address"]: c for c in json.loads(result.stdout)["changes"] if c["kind"] == "broker"}
    assert sorted(found) == ["broker.1", "broker.default"]
    for change in found.values():
        assert change["location"]["file"].endswith("cluster/local.yaml")
    assert found["broker.default"]["location"]["line"] == 1  # settings:
    assert found["broker.1"]["location"]["line"] == 4
