"""Hole 6 and 14 of issue 18: text from a catalog, a plan file, a snapshot or the command line never
reaches a terminal or a CI log raw. No line starts a GitHub workflow command (`::error …`) or a
Markdown fence, no ESC/OSC 52/bidi character is written, rich markup in a name ('[/]') is text, and
no message is wrapped so that a value begins a line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kgov.cli.exits import outcome
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.importer import run_import
from kgov.commands.plan import run_plan
from kgov.errors import KgovError
from kgov.kinds.base import Backends
from kgov.plan.fingerprint import plan_fingerprint
from kgov.plan.model import plan_from_json
from kgov.sanitize import GuardedStream, safe_lines
from tests.support import kgov, topic_doc, write_catalog
from tests.unit.hostile.cliio_helpers import (
    HOSTILE,
    assert_defused,
    catalog,
    plan_file_of,
    run_kgov,
    snapshot_of,
)


def _edit_json(path: Path, **changes: object) -> Path:
    doc = json.loads(path.read_text("utf-8"))
    doc.update(changes)
    path.write_text(json.dumps(doc), "utf-8")
    return path


def test_an_error_message_and_its_hint_are_escaped_in_one_place(capsys: pytest.CaptureFixture[str]) -> None:
    def fail() -> int:
        raise KgovError(f"bad {HOSTILE}", hint=f"try {HOSTILE}")

    assert outcome(fail) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: bad x\\n")  # the newline shown, not written
    assert_defused(err)


@pytest.mark.parametrize("command", ["lint", "plan", "diff"])
def test_an_unknown_environment_name_is_shown_escaped(tmp_path: Path, command: str) -> None:
    root = str(catalog(tmp_path))
    args = {
        "lint": ["lint", root, "--env", HOSTILE],
        "plan": ["plan", "--env", HOSTILE, "--catalog", root],
        "diff": ["diff", "--base", "HEAD", "--catalog", root, "--env", HOSTILE],
    }[command]
    done = run_kgov(*args, cwd=tmp_path)  # the fast path for lint and plan, typer for diff
    assert done.returncode == 1
    assert_defused(done.stderr.decode())
    in_process = kgov(*args)  # typer's path
    assert in_process.code == 1
    assert_defused(in_process.output)


def test_a_plan_files_environment_is_shown_escaped(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    saved = _edit_json(plan_file_of(root, tmp_path / "plan.json"), environment=HOSTILE)
    result = kgov("apply", str(saved), "--env", "local", "--catalog", str(root))
    assert result.code == 1
    assert "was planned for environment" in result.stderr
    assert_defused(result.output)


def test_a_plan_files_created_at_must_be_a_timestamp(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    saved = _edit_json(plan_file_of(root, tmp_path / "plan.json"), created_at=HOSTILE[:60])
    result = kgov("apply", str(saved), "--env", "local", "--catalog", str(root))
    assert result.code == 1
    assert "not a valid kgov plan file" in result.stderr and "created_at" in result.stderr
    assert_defused(result.output)


def test_a_blocked_address_of_a_plan_file_is_shown_escaped(tmp_path: Path) -> None:
    """The fingerprint is a digest anyone can recompute: a forged plan passes it, and is refused for
    its blocked entry; the address it names is untrusted text."""
    root = catalog(tmp_path)
    saved = plan_file_of(root, tmp_path / "plan.json")
    doc = json.loads(saved.read_text("utf-8"))
    entry = dict(doc["resource_changes"][0], address=HOSTILE, action="blocked", reason=HOSTILE, hint=HOSTILE)
    doc["resource_changes"].append(entry)
    doc["totals"]["blocked"] = 1
    plan = plan_from_json(doc)
    doc["fingerprint"] = plan_fingerprint(
        plan.environment, plan.allow_delete, plan.scope, plan.state_digest, plan.entries, plan.scoped
    )
    saved.write_text(json.dumps(doc), "utf-8")
    result = kgov("apply", str(saved), "--env", "local", "--catalog", str(root))
    assert result.code == 1
    assert "blocked change" in result.stderr
    assert_defused(result.output)


def test_a_snapshots_environment_is_shown_escaped(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    taken = _edit_json(snapshot_of(root, tmp_path / "state.json"), environment=HOSTILE)
    done = run_kgov("plan", "--env", "local", "--catalog", str(root), "--snapshot", str(taken), cwd=tmp_path)
    assert done.returncode == 1
    assert b"is a snapshot of environment" in done.stderr
    assert_defused(done.stderr.decode())


def test_a_snapshots_created_at_must_be_a_timestamp(tmp_path: Path) -> None:
    root = catalog(tmp_path)
    taken = _edit_json(snapshot_of(root, tmp_path / "state.json"), created_at=HOSTILE)
    done = run_kgov("plan", "--env", "local", "--catalog", str(root), "--snapshot", str(taken), cwd=tmp_path)
    assert done.returncode == 1
    assert b"created_at" in done.stderr
    assert_defused((done.stdout + done.stderr).decode())


def test_a_catalog_file_name_in_a_diagnostic_is_shown_escaped(tmp_path: Path) -> None:
    """plan and diff list a broken catalog's diagnostics, each line starting with its file."""
    root = catalog(tmp_path)
    name = HOSTILE.replace("/", "")  # a file name holds anything but '/'
    body = {"service": "orders", "owner": "team-test", "topics": [topic_doc("Orders.BAD")]}
    (root / "topics" / f"{name}.yaml").write_text(yaml.safe_dump(body), "utf-8")
    snapshot = snapshot_of(catalog(tmp_path / "other"), tmp_path / "state.json")
    plan = ["plan", "--env", "local", "-c", str(root), "--snapshot", str(snapshot)]
    for args in (plan, ["lint", str(root)]):
        done = run_kgov(*args, cwd=tmp_path)
        assert done.returncode == 1
        assert_defused((done.stdout + done.stderr).decode())


def test_a_long_diagnostic_is_not_wrapped_so_that_a_value_begins_a_line(tmp_path: Path) -> None:
    """rich wraps at 80 columns off a terminal: a name with a space in it could start a line."""
    name = "orders." + "a" * 60 + " ::error::wrapped"
    root = write_catalog(tmp_path / "catalog", {"orders": [topic_doc(name)]})
    snapshot = snapshot_of(catalog(tmp_path / "other"), tmp_path / "state.json")
    done = run_kgov("plan", "--env", "local", "-c", str(root), "--snapshot", str(snapshot), cwd=tmp_path)
    assert done.returncode == 1
    assert_defused(done.stderr.decode())


def test_an_environment_named_like_rich_markup_is_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hole 14: '[/]' crashed plan (rich's MarkupError in the spinner's text)."""
    settings = yaml.safe_load((catalog(tmp_path / "base") / "kgov.yaml").read_text("utf-8"))
    env = settings["environments"]["local"]
    topics = {"orders": [topic_doc("orders.created")]}
    root = write_catalog(tmp_path / "catalog", topics, environments={"[/]": env})
    code = outcome(lambda: run_plan(root, "[/]", backends=Backends(kafka=MemoryCluster(brokers=1))))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "kgov plan for environment '[/]'" in out and "1 to create" in out
    assert_defused(out + err)


def test_import_into_a_folder_named_like_rich_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hole 14: `import --out 'x[/]y'` crashed after writing its files."""
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("legacy.events", 3, 1)
    out_dir = tmp_path / "x[/]y"
    root = catalog(tmp_path)
    code = outcome(lambda: run_import(root, "local", out_dir=out_dir, backends=Backends(kafka=cluster)))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (out_dir / "topics" / "legacy.yaml").is_file()
    assert f"wrote {out_dir / 'topics' / 'legacy.yaml'}" in out
    assert_defused(out + err)


def test_the_guarded_stream_defuses_lines_across_writes(capsys: pytest.CaptureFixture[str]) -> None:
    stream = GuardedStream("stdout")
    for chunk in ("ok ::not-a-line-start\n", "::error::x\n  ```\nkeep", " ::mid\n", "~~~ fence"):
        stream.write(chunk)
    text = capsys.readouterr().out
    assert text == "ok ::not-a-line-start\n\\x3a:error::x\n  \\x60``\nkeep ::mid\n\\x7e~~ fence"
    assert safe_lines("##[error] x") == "\\x23#[error] x"


@pytest.mark.parametrize("command", ["status", "down"])
def test_a_sandbox_state_dir_named_like_rich_markup(tmp_path: Path, command: str) -> None:
    """Hole 14 in the sandbox's commands: a --state-dir with '[/]' crashed status and down."""
    state_dir = tmp_path / "x[/]y"
    result = kgov("sandbox", command, "--state-dir", str(state_dir))
    assert result.code == 0, result.output
    assert f"No sandbox in {state_dir}" in result.stdout
    assert not (tmp_path / "x[").exists()  # nothing was started or created
