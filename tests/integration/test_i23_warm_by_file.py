"""`kgov plan --base` on the sandbox: the by-file path (kgov/kinds/by_file.py) plans what the general
path (both catalogs derived whole) plans, for topics and ACL bindings changed, moved and added; apply
of the saved plan converges (its re-plan derives the scoped names only too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kgov.commands.common import checked_catalog, connect
from kgov.commands.plan import run_plan
from tests.gitrepo import commit, init
from tests.support import kgov, topic_doc, unique_service, write_catalog
from tests.unit.review.test_i23_warm_by_file import _never


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox."""


def _access(svc: str, produces: list[str], consumes: list[str]) -> str:
    doc = {"service": svc, "owner": "team-test", "principal": f"User:{svc}", "produces": produces}
    return yaml.safe_dump({**doc, "consumes": consumes, "consumer_groups": [svc]}, sort_keys=False)


def _plan(cat: Path, out: Path) -> tuple[int, dict[str, Any]]:
    ports = connect(checked_catalog(cat, "local"), "local")
    code = run_plan(
        cat, "local", backends=ports, base="HEAD", out=out, allow_delete=True, detailed_exitcode=True
    )
    doc: dict[str, Any] = json.loads(out.read_text())
    doc.pop("created_at")
    return code, doc


def test_the_by_file_path_plans_what_the_general_path_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = unique_service(), unique_service()
    repo = init(tmp_path / "repo")
    topics = {a: [topic_doc(f"{a}.x"), topic_doc(f"{a}.y", retention_ms="1d")], b: [topic_doc(f"{b}.x")]}
    cat = write_catalog(repo / "catalog", topics)
    (cat / "acls").mkdir()
    (cat / "acls" / f"{a}.yaml").write_text(_access(a, [f"{a}.x", f"{a}.y"], [f"{b}.x"]))
    (cat / "acls" / f"{b}.yaml").write_text(_access(b, [f"{b}.x"], []))
    applied = kgov("apply", "--env", "local", "--catalog", str(cat), "--auto-approve")
    assert applied.code == 0, applied.output
    commit(repo, "applied")

    topics[a] = [topic_doc(f"{a}.x"), topic_doc(f"{a}.y", retention_ms="2d")]  # reconfigured
    topics[b] = [topic_doc(f"{b}.x", 2), topic_doc(f"{b}.new")]  # grown, and one created
    write_catalog(cat, topics)
    (cat / "acls" / f"{b}.yaml").write_text(_access(b, [f"{b}.x", f"{b}.new"], [f"{a}.y"]))

    code, fast = _plan(cat, tmp_path / "fast.json")
    with monkeypatch.context() as m:
        _never(m)
        assert _plan(cat, tmp_path / "general.json") == (code, fast)
    assert code == 2
    names = fast["scoped"]["names"]
    assert names["topic"] == sorted([f"{a}.y", f"{b}.x", f"{b}.new"])
    assert names["acl"] and all(n.startswith(f"acl.User:{b}.") for n in names["acl"])

    done = kgov(
        "apply", str(tmp_path / "fast.json"), "--env", "local", "--catalog", str(cat), "--allow-delete"
    )
    assert done.code == 0, done.output
    code, after = _plan(cat, tmp_path / "after.json")
    assert code == 0 and after["resource_changes"] == []
