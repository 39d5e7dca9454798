"""`kgov schema check` end to end: verdicts on the example's schemas and edited copies, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kgov.cli import app

SCHEMAS = Path(__file__).resolve().parents[3] / "catalog" / "schemas"
STATE = SCHEMAS / "orders.state-value.avsc"
USER = SCHEMAS / "users.registered-value.json"


def run(*args: str) -> Result:
    if "--level" not in args:
        args = (*args, "--level", "BACKWARD")
    return CliRunner().invoke(app, ["schema", "check", *args])


def said(result: Result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def edited(tmp_path: Path, source: Path, change: dict[str, object], name: str = "") -> Path:
    doc = json.loads(source.read_text("utf-8"))
    for key, value in change.items():
        if key == "add_field":
            doc["fields"].append(value)
        elif key == "add_required":
            doc["required"].append(value)
        else:
            doc[key] = value
    out = tmp_path / (name or source.name)
    out.write_text(json.dumps(doc), "utf-8")
    return out


def test_same_schema_is_compatible_at_every_level() -> None:
    for level in ("NONE", "BACKWARD", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"):
        result = run("--old", str(STATE), "--new", str(STATE), "--level", level)
        assert result.exit_code == 0, result.output
        assert f"is compatible at {level}" in result.output


def test_field_with_default_is_full_compatible(tmp_path: Path) -> None:
    new = edited(tmp_path, STATE, {"add_field": {"name": "note", "type": "string", "default": ""}})
    assert run("--old", str(STATE), "--new", str(new), "--level", "FULL").exit_code == 0


def test_field_without_default_lists_the_breaking_change_as_json(tmp_path: Path) -> None:
    new = edited(tmp_path, STATE, {"add_field": {"name": "note", "type": "string"}})
    result = run("--old", str(STATE), "--new", str(new), "--level", "full", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "compatible": False,
        "level": "FULL",
        "messages": [
            f"OrderState.note: field of new has no default and is missing in old (new reads old data; "
            f"old = {STATE})"
        ],
    }
    forward = run("--old", str(STATE), "--new", str(new), "--level", "FORWARD")
    assert forward.exit_code == 0, forward.output


def test_transitive_checks_every_old_file(tmp_path: Path) -> None:
    v2 = edited(tmp_path, STATE, {"add_field": {"name": "note", "type": "string", "default": ""}}, "v2.avsc")
    doc = json.loads(v2.read_text())
    doc["fields"] = [f for f in doc["fields"] if f["name"] != "updated_at"]
    v3 = tmp_path / "v3.avsc"
    v3.write_text(json.dumps(doc))
    both = ["--old", str(STATE), "--old", str(v2), "--new", str(v3)]
    assert run(*both, "--level", "FORWARD").exit_code == 1  # updated_at has no default in v2 either
    text = run(*both, "--level", "FORWARD_TRANSITIVE").output
    assert text.count("OrderState.updated_at") == 2 and "old = " + str(STATE) in text


def test_json_schema_required_added_is_not_backward(tmp_path: Path) -> None:
    new = edited(tmp_path, USER, {"add_required": "locale"})
    result = run("--old", str(USER), "--new", str(new), "--level", "BACKWARD")
    assert result.exit_code == 1
    assert "$.locale: required in new but optional in old" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--level", "SIDEWAYS"], "unknown compatibility level 'SIDEWAYS'"),
        (["--format", "xml"], "unknown format 'xml'"),
    ],
)
def test_bad_options(args: list[str], expected: str) -> None:
    result = run("--old", str(STATE), "--new", str(STATE), *args)
    assert result.exit_code == 64 and expected in said(result)  # usage errors (issue 18, hole 20)


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.avsc"
    broken.write_text('{"type": "record",\n  "name": }')
    result = run("--old", str(STATE), "--new", str(broken), "--level", "FULL")
    assert result.exit_code == 1
    assert f"{broken}:2:11: invalid JSON" in said(result) and "Traceback" not in result.output
    assert "unknown schema type" in said(run("--old", str(STATE), "--new", str(tmp_path / "x.txt")))
    assert "cannot read" in said(run("--old", str(STATE), "--new", str(tmp_path / "none.avsc")))
    folder = tmp_path / "dir.avsc"
    folder.mkdir()
    assert "not a regular file" in said(run("--old", str(STATE), "--new", str(folder)))
    mixed = run("--old", str(USER), "--new", str(STATE))
    assert "the schema type differs" in said(mixed) and mixed.exit_code == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.avsc"
    os.mkfifo(fifo)
    assert "not a regular file" in said(run("--old", str(STATE), "--new", str(fifo)))
