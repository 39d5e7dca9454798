"""Hole 12 of issue 18: a FIFO (or any non-regular file) named as a file kgov reads is refused at
once, never opened blocking: plan files, snapshots, `schema check` inputs, `${file:}` secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import topic_doc, write_catalog

REPO = Path(__file__).resolve().parents[3]
SCHEMA = REPO / "catalog" / "schemas" / "orders.created-value.avsc"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # A subprocess with a timeout: a regression hangs on open(), and must fail rather than hang.
    return subprocess.run(
        [sys.executable, "-m", "kgov", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "300", "KGOV_BOOTSTRAP_SASL": "127.0.0.1:1",
             "KGOV_USERNAME": "u", "KGOV_PASSWORD": "p"},
    )  # fmt: skip


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["apply", "{fifo}", "--env", "local", "--catalog", "{catalog}"],
        ["plan", "--env", "local", "--catalog", "{catalog}", "--snapshot", "{fifo}"],
        ["schema", "check", "--old", "{fifo}", "--new", str(SCHEMA), "--level", "BACKWARD"],
        ["schema", "check", "--old", str(SCHEMA), "--new", "{fifo}", "--level", "BACKWARD"],
    ],
    ids=["apply-plan-file", "plan-snapshot", "schema-check-old", "schema-check-new"],
)
def test_a_fifo_is_refused_without_hanging(tmp_path: Path, fifo: Path, command: list[str]) -> None:
    catalog = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.created")]})
    args = [a.format(fifo=fifo, catalog=catalog) for a in command]
    proc = _run(*args)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 1, said
    assert "not a regular file" in said and str(fifo) in said
    assert "Traceback" not in said


def test_a_fifo_as_a_secret_file_is_refused_without_hanging(tmp_path: Path, fifo: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.created")]})
    settings = (
        (catalog / "kgov.yaml").read_text().replace("${env:KGOV_PASSWORD}", "${file:" + str(fifo) + "}")
    )
    (catalog / "kgov.yaml").write_text(settings)
    proc = _run("plan", "--env", "local", "--catalog", str(catalog))
    said = proc.stdout + proc.stderr
    assert proc.returncode == 1, said
    assert "not a regular file" in said and "Traceback" not in said


def test_a_folder_or_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.created")]})
    for path, said in ((tmp_path, "not a regular file"), (tmp_path / "none.json", "cannot read")):
        proc = _run("apply", str(path), "--env", "local", "--catalog", str(catalog))
        assert proc.returncode == 1 and said in proc.stderr, proc.stdout + proc.stderr


def test_a_fifo_as_kgov_yaml_is_refused_as_such(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.created")]})
    (catalog / "kgov.yaml").unlink()
    os.mkfifo(catalog / "kgov.yaml")
    proc = _run("lint", str(catalog))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{catalog / 'kgov.yaml'}:1:1" in proc.stdout and "not a regular file" in proc.stdout
