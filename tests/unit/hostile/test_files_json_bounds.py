"""Hole 13 of issue 18: integers over 4,300 digits and JSON nested 100,000 deep, in every JSON file
kgov reads (plan files, snapshots, `schema check` inputs, the catalog's schema files), are refused
with a message naming the file and line:col, exit 1: never an internal error or a RecursionError."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from kgov.jsonread import JsonProblem, loads
from tests.support import kgov, topic_doc, write_catalog

REPO = Path(__file__).resolve().parents[3]
SCHEMA = REPO / "catalog" / "schemas" / "orders.created-value.avsc"
HUGE_INTEGER = '{\n  "format_version": ' + "9" * 5000 + "\n}\n"  # line 2, column 21
DEEP = "[" * 100_000 + "]" * 100_000
BOTH = pytest.mark.parametrize(
    "content, where", [(HUGE_INTEGER, ":2:21:"), (DEEP, ":1:201:")], ids=["integer", "deep"]
)
AVRO_INTEGER = '{"type": "record", "name": "x", "fields": [], "size": ' + "1" * 4400 + "}"  # column 55


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.created")]})


def _no_crash(output: str) -> None:
    assert "internal error" not in output and "Traceback" not in output and "RecursionError" not in output


@BOTH
def test_a_plan_file_is_refused_at_its_line_and_column(
    tmp_path: Path, catalog: Path, content: str, where: str
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content)
    result = kgov("apply", str(plan), "--env", "local", "--catalog", str(catalog))
    assert result.code == 1, result.output
    assert f"{plan}{where}" in result.output
    _no_crash(result.output)


@BOTH
def test_a_snapshot_is_refused_at_its_line_and_column(
    tmp_path: Path, catalog: Path, content: str, where: str
) -> None:
    snapshot = tmp_path / "state.json"
    snapshot.write_text(content)
    result = kgov("plan", "--env", "local", "--catalog", str(catalog), "--snapshot", str(snapshot))
    assert result.code == 1, result.output
    assert f"{snapshot}{where}" in result.output
    _no_crash(result.output)


@pytest.mark.parametrize("side", ["--old", "--new"])
@pytest.mark.parametrize(
    "content, where",
    [
        ('{"type": "record", "name": "x", "fields": [], "size": ' + "1" * 4400 + "}", ":1:55:"),
        (DEEP, ":1:201:"),
    ],
    ids=["integer", "deep"],
)
def test_schema_check_inputs_are_refused_at_their_line_and_column(
    tmp_path: Path, side: str, content: str, where: str
) -> None:
    bad = tmp_path / "bad.avsc"
    bad.write_text(content)
    other = "--new" if side == "--old" else "--old"
    result = kgov("schema", "check", side, str(bad), other, str(SCHEMA), "--level", "BACKWARD")
    assert result.code == 1, result.output
    assert f"{bad}{where}" in result.output
    _no_crash(result.output)


@pytest.mark.parametrize(
    "content, line_col",
    [
        ('{\n  "type": "object",\n  "maximum": ' + "7" * 5000 + "\n}\n", ":3:14"),
        ('{"type": "object", "items": ' + "[" * 100_000 + "]" * 100_000 + "}", ":1:228"),
    ],
    ids=["integer", "deep"],
)
def test_a_catalog_schema_file_is_a_lint_error_at_that_file(
    tmp_path: Path, content: str, line_col: str
) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    target = root / "schemas" / "users.registered-value.json"
    target.write_text(content)
    result = kgov("lint", str(root), "--format", "json")
    assert result.code == 1, result.output
    _no_crash(result.output)
    found = json.loads(result.stdout)
    where = [d for d in found["diagnostics"] if d["severity"] == "error"]
    assert where, result.stdout
    assert all(d["file"] == str(target) for d in where), where  # at the schema file, not kgov.yaml:1:1
    assert any(f":{d['line']}:{d['column']}" == line_col for d in where), where


def test_digits_and_brackets_inside_strings_are_text() -> None:
    text = json.dumps({"schema": "[" * 5000 + "9" * 5000, "n": 1})
    assert loads(text) == {"schema": "[" * 5000 + "9" * 5000, "n": 1}


def test_the_limits_are_where_they_say() -> None:
    assert loads("[" * 200 + "]" * 200) is not None
    assert loads("9" * 4300) == int("9" * 4300)
    for text in ("[" * 201 + "]" * 201, "9" * 4301, "-" + "9" * 4301):
        with pytest.raises(JsonProblem):
            loads(text)


def test_locating_the_problem_stays_linear() -> None:
    # 5,000 floats of 4,300 digits each (legal), then an integer too long: found at once.
    text = "[" + ",".join(["1." + "1" * 4300] * 5000) + "," + "9" * 4301 + "]"
    started = time.monotonic()
    with pytest.raises(JsonProblem, match="more than 4300 digits"):
        loads(text)
    assert time.monotonic() - started < 10
