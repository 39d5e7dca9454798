"""Hole 18 of issue 18: a snapshot that does not cover what a plan of the catalog reads is refused
(exit 1, a clear message), never planned into "No changes": an empty snapshot with a valid digest,
`{}`, a snapshot of another environment, one without the subjects of an environment that has a
registry. A snapshot that covers the plan still plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.snapshot import run_snapshot
from kgov.kinds.base import Backends
from kgov.plan.fingerprint import digest
from tests.support import SETTINGS, kgov, topic_doc, write_catalog


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGOV_BOOTSTRAP_SASL", "127.0.0.1:1")
    monkeypatch.setenv("KGOV_USERNAME", "admin")
    monkeypatch.setenv("KGOV_PASSWORD", "x")


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return write_catalog(tmp_path / "catalog", {"svc": [topic_doc("svc.a")]})


@pytest.fixture
def taken(tmp_path: Path, catalog: Path) -> dict[str, Any]:
    """A real snapshot of a cluster that lacks the catalog's topic (so a covering plan has a change)."""
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("other.x", 1, 1)
    out = tmp_path / "taken.json"
    assert run_snapshot(catalog, "local", out, backends=Backends(kafka=cluster)) == 0
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def _plan(catalog: Path, snapshot: Path) -> tuple[int, str]:
    result = kgov("plan", "--env", "local", "--catalog", str(catalog), "--snapshot", str(snapshot))
    return result.code, result.output


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_covering_snapshot_plans(tmp_path: Path, catalog: Path, taken: dict[str, Any]) -> None:
    code, said = _plan(catalog, _write(tmp_path, taken))
    assert code == 0 and "svc.a" in said and "No changes" not in said, said


def test_an_empty_snapshot_with_a_valid_digest_is_refused(
    tmp_path: Path, catalog: Path, taken: dict[str, Any]
) -> None:
    empty = {**taken, "kinds": {}, "digest": digest({})}
    code, said = _plan(catalog, _write(tmp_path, empty))
    assert code == 1, said
    assert "does not cover" in said and "topics" in said and "No changes" not in said


@pytest.mark.parametrize("left_out", ["topic", "acl", "user"])
def test_a_snapshot_without_a_kind_the_plan_reads_is_refused(
    tmp_path: Path, catalog: Path, taken: dict[str, Any], left_out: str
) -> None:
    kinds = {k: v for k, v in taken["kinds"].items() if k != left_out}
    code, said = _plan(catalog, _write(tmp_path, {**taken, "kinds": kinds, "digest": digest(kinds)}))
    assert code == 1 and "does not cover" in said, said


def test_an_empty_document_is_refused(tmp_path: Path, catalog: Path) -> None:
    code, said = _plan(catalog, _write(tmp_path, {}))
    assert code == 1 and "not a kgov snapshot" in said, said


def test_a_snapshot_of_another_environment_is_refused(
    tmp_path: Path, catalog: Path, taken: dict[str, Any]
) -> None:
    code, said = _plan(catalog, _write(tmp_path, {**taken, "environment": "prod"}))
    assert code == 1 and "environment 'prod'" in said, said


def test_a_snapshot_without_subjects_is_refused_where_the_environment_has_a_registry(
    tmp_path: Path, taken: dict[str, Any]
) -> None:
    local = {**SETTINGS["environments"]["local"], "schema_registry": {"url": "http://127.0.0.1:1"}}
    with_registry = write_catalog(
        tmp_path / "registry", {"svc": [topic_doc("svc.a")]}, environments={"local": local}
    )
    assert "subject" not in taken["kinds"]  # taken with no registry connection
    code, said = _plan(with_registry, _write(tmp_path, taken))
    assert code == 1 and "does not cover" in said and "subjects" in said, said
