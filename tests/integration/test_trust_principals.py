"""Probe hole 3 (issue 18) on the sandbox: a catalog that declares kgov's own login (User:admin, the
sandbox's kafka.username through ${env:KGOV_USERNAME}) gets a plan whose every entry for it is
blocked, so apply refuses it whole. Only plans run here: the shared sandbox's admin is never at risk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support import topic_doc

from .kgovtest import kgov, unique_service, write_catalog


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox."""


def test_a_plan_never_changes_kgovs_own_login(tmp_path: Path, sandbox: dict[str, str]) -> None:
    svc = unique_service()
    cat = write_catalog(tmp_path / "catalog", {svc: [topic_doc(f"{svc}.a")]})
    (cat / "acls").mkdir()
    own = {
        "service": svc,
        "principal": f"User:{sandbox['KGOV_USERNAME']}",
        "authentication": {"scram": {"mechanism": "SCRAM-SHA-512", "password": "${env:HOME}"}},
        "produces": [f"{svc}.a"],
    }
    (cat / "acls" / f"{svc}.yaml").write_text(yaml.safe_dump(own))
    out = tmp_path / "plan.json"
    result = kgov("plan", "--env", "local", "--catalog", str(cat), "--out", str(out))
    assert result.code == 1, result.output
    entries = json.loads(out.read_text())["resource_changes"]
    mine = [e for e in entries if e["kind"] in ("user", "acl")]
    assert {e["kind"] for e in mine} == {"user", "acl"}
    assert all(e["action"] == "blocked" for e in mine), mine
    applied = kgov("apply", str(out), "--env", "local", "--catalog", str(cat))
    assert applied.code == 1 and "blocked" in applied.output
    again = kgov("plan", "--env", "local", "--catalog", str(write_catalog(tmp_path / "clean", {})))
    assert again.code == 0, again.output  # kgov still logs in as before
