"""Odd YAML scalars and tags: each is a clear diagnostic at file:line:col, never an internal error,
never a secret quoted, and never at the cost of another file's diagnostics (SARIF included)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import kgov

REPO = Path(__file__).resolve().parents[3]
SECRET = "hunter2-5e1f0b"


def _catalog(tmp_path: Path, file: str, old: str, new: str) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    path = root / file
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    # A second, unrelated problem in another file: its diagnostic must survive the odd one.
    users = root / "topics" / "users.yaml"
    users.write_text(users.read_text("utf-8").replace("    partitions: 3\n", "    partitions: 0\n", 1))
    return root


CASES = [
    # (file, old, new, line, col, rule, message part)
    (
        "topics/orders.yaml",
        "    partitions: 6\n",
        "    partitions: !!int abc\n",
        7,
        17,
        "yaml",
        "not a valid !!int",
    ),
    (
        "topics/orders.yaml",
        "    partitions: 6\n",
        f"    partitions: {'9' * 5000}\n",
        7,
        17,
        "yaml",
        "4300 digits",
    ),
    ("topics/orders.yaml", "    partitions: 6\n", "    partitions: !!float x\n", 7, 17, "yaml", "!!float"),
    (
        "topics/orders.yaml",
        "    partitions: 6\n",
        "    partitions: !!timestamp x\n",
        7,
        17,
        "yaml",
        "!!timestamp",
    ),
    (
        "topics/orders.yaml",
        "      retention.ms: 7d",
        "      retention.ms: " + "9" * 400,
        11,
        7,
        "invalid-config-value",
        "maximum",
    ),
    ("kgov.yaml", "password: ${env:KGOV_PASSWORD}", f"password: !!int {SECRET}", 22, 17, "yaml", "not shown"),
    (
        "kgov.yaml",
        "password: ${env:KGOV_PASSWORD}",
        f"password: !!float {SECRET}",
        22,
        17,
        "yaml",
        "not shown",
    ),
    (
        "kgov.yaml",
        "password: ${env:KGOV_PASSWORD}",
        f"password: !!binary {SECRET}",
        22,
        17,
        "yaml",
        "not shown",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "line", "col", "rule", "says"), CASES)
def test_odd_scalar_is_a_positioned_diagnostic(
    tmp_path: Path, file: str, old: str, new: str, line: int, col: int, rule: str, says: str
) -> None:
    root = _catalog(tmp_path, file, old, new)
    outputs = {fmt: kgov("lint", str(root), "--format", fmt) for fmt in ("json", "sarif", "text", "github")}
    for fmt, result in outputs.items():
        assert result.code == 1, result.output
        assert "internal error" not in result.output and "Traceback" not in result.output, fmt
        assert SECRET not in result.output, fmt
    diags = json.loads(outputs["json"].stdout)["diagnostics"]
    found = [(d["rule"], d["file"].rsplit("catalog/", 1)[1], d["line"], d["column"]) for d in diags]
    assert (rule, file, line, col) in found, diags
    assert any(says in d["message"] for d in diags if (d["rule"], d["line"]) == (rule, line))
    assert ("structure", "topics/users.yaml", 7, 5) in found  # the other file's diagnostic is kept
    results = json.loads(outputs["sarif"].stdout)["runs"][0]["results"]
    assert len(results) == len(diags)


def test_a_date_that_does_not_exist_is_just_text(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    orders = root / "topics" / "orders.yaml"
    orders.write_text(orders.read_text("utf-8").replace("owner: team-orders", "owner: 2024-02-30", 1))
    result = kgov("lint", str(root))
    assert result.code == 0, result.output
