"""Hole 15 of issue 18 and the schema line of imported files: `kgov import` checks every file it will
write before the first write (a legal 249-character topic name imports; a name the file system
cannot take, or an --out that cannot be written, writes nothing), and the imported files'
yaml-language-server line points at a schema file that exists."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from kgov.bindings import Binding
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.kinds.base import Backends
from tests.support import kgov, topic_doc, write_catalog

LONGEST_TOPIC = "z" * 249  # Kafka's longest legal topic name


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KGOV_BOOTSTRAP_SASL", "KGOV_USERNAME", "KGOV_PASSWORD"):
        monkeypatch.setenv(name, "x")


def _cluster(*topics: str) -> MemoryCluster:
    cluster = MemoryCluster(brokers=1)
    for name in ("aaa.first", *topics):  # aaa: written first, before the long name's file
        cluster.add_topic(name, 1, 1)
    return cluster


def _import(
    catalog: Path, out: Path, cluster: MemoryCluster, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    """`kgov import` through the command line, against the in-memory cluster."""
    monkeypatch.setattr("kgov.commands.importer.connect", lambda *_: Backends(kafka=cluster))
    result = kgov("import", "--env", "local", "--catalog", str(catalog), "--out", str(out))
    return result.code, result.output


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_249_character_topic_name_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    out = tmp_path / "out"
    code, said = _import(catalog, out, _cluster(LONGEST_TOPIC), monkeypatch)
    assert code == 0, said
    written = (out / "topics" / f"{LONGEST_TOPIC}.yaml").read_text()
    assert LONGEST_TOPIC in written
    assert not [p for p in _files(out) if p.name.startswith(".")]  # no temporary file left


def test_a_name_too_long_for_the_file_system_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = _cluster("billing.paid")
    principal = "User:" + "p" * 300  # acls/<300 characters>.yaml: longer than NAME_MAX
    cluster.acls.add(Binding(principal, "topic", "literal", "billing.paid", "READ"))
    out = tmp_path / "out"
    code, said = _import(catalog, out, cluster, monkeypatch)
    assert _files(out) == []  # the topics file (written first) is not written either
    assert code == 1 and "nothing was written" in said and "Traceback" not in said, said


@pytest.mark.parametrize("bad", ["a file", "a read-only folder"])
def test_an_out_folder_that_cannot_be_written_writes_nothing(
    tmp_path: Path, bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    if bad == "a file":
        (tmp_path / "blocker").write_text("keep")
        out = tmp_path / "blocker" / "out"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        (tmp_path / "ro").mkdir(mode=0o555)
        out = tmp_path / "ro" / "out"
    code, said = _import(catalog, out, _cluster(LONGEST_TOPIC), monkeypatch)
    assert code == 1 and "nothing was written" in said, said
    assert (tmp_path / "blocker").read_text() == "keep" if bad == "a file" else not out.exists()


def test_the_schema_line_of_imported_files_points_at_a_file_that_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]})
    cluster = _cluster("billing.paid")
    cluster.acls.add(Binding("User:billing", "topic", "literal", "billing.paid", "READ"))
    out = tmp_path / "out"
    code, said = _import(catalog, out, cluster, monkeypatch)
    assert code == 0, said
    imported = [p for p in _files(out) if p.suffix == ".yaml"]
    assert {p.parent.name for p in imported} == {"topics", "acls"}
    for path in imported:
        line = path.read_text().splitlines()[0]
        found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", line)
        assert found, line
        target = path.parent / found.group(1)
        assert "://" not in found.group(1) and target.is_file(), target
        assert json.loads(target.read_text())["title"].startswith("kgov")
