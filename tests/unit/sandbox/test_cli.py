"""`kgov sandbox` commands on state folders without a running sandbox (no Java needed)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgov.cli.sandbox import app
from kgov.sandbox.credentials import write_private
from kgov.sandbox.process import write_pid
from kgov.sandbox.settings import Settings, to_json

runner = CliRunner()


def _fake_sandbox(root: Path) -> None:
    write_private(root / "sandbox.json", to_json(Settings()))
    write_private(root / "admin.password", "pw-123\n")


def test_env_without_a_sandbox_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["env", "--state-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "there is no sandbox" in result.output
    assert "kgov sandbox up" in result.output
    assert "Traceback" not in result.output


def test_env_of_a_stopped_sandbox_prints_exports(tmp_path: Path) -> None:
    _fake_sandbox(tmp_path)
    result = runner.invoke(app, ["env", "--state-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert "export KGOV_PASSWORD=pw-123" in result.stdout
    assert f"export KGOV_CA_FILE={tmp_path.resolve()}/tls/ca.pem" in result.stdout
    assert "not running" in result.output


def test_status_reports_a_crash_with_the_log_tail(tmp_path: Path) -> None:
    _fake_sandbox(tmp_path)
    write_pid(tmp_path / "run" / "kafka.pid", 999_999_999)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "kafka.log").write_text("starting\nFATAL: out of luck\n")
    result = runner.invoke(app, ["status", "--state-dir", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1  # a crash is unhealthy: scripts can check it
    data = json.loads(result.stdout)
    kafka = next(p for p in data["processes"] if p["component"] == "kafka")
    registry = next(p for p in data["processes"] if p["component"] == "registry")
    assert kafka["state"] == "crashed" and kafka["log_tail"][-1] == "FATAL: out of luck"
    assert registry["state"] == "stopped"
    assert data["running"] is False
    text = runner.invoke(app, ["status", "--state-dir", str(tmp_path)])
    assert text.exit_code == 1
    assert "crashed" in text.stdout and "FATAL: out of luck" in text.stdout


def test_down_cleans_a_stale_pid_file(tmp_path: Path) -> None:
    _fake_sandbox(tmp_path)
    write_pid(tmp_path / "run" / "registry.pid", 999_999_999)
    result = runner.invoke(app, ["down", "--state-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert "registry: was not running" in result.stdout
    assert not (tmp_path / "run" / "registry.pid").exists()


def test_purge_removes_a_sandbox_folder_but_not_any_folder(tmp_path: Path) -> None:
    other = tmp_path / "precious"
    other.mkdir()
    (other / "thesis.tex").write_text("do not delete")
    refused = runner.invoke(app, ["down", "--purge", "--state-dir", str(other)])
    assert refused.exit_code == 1
    assert (other / "thesis.tex").exists()

    box = tmp_path / "box"
    _fake_sandbox(box)
    purged = runner.invoke(app, ["down", "--purge", "--state-dir", str(box)])
    assert purged.exit_code == 0
    assert not box.exists()


def test_logs_of_a_missing_sandbox(tmp_path: Path) -> None:
    result = runner.invoke(app, ["logs", "kafka", "--state-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert "no log yet" in result.output


def test_bad_option_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["up", "--state-dir", str(tmp_path), "--heap", "huge"])
    assert result.exit_code == 1
    assert "invalid heap size" in result.output


def test_up_help_shows_the_defaults() -> None:
    # rich reads "[default: 9092]" as a markup tag and drops it: the defaults are in parentheses
    shown = runner.invoke(app, ["up", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())
    for default in ("(default: 9092)", "(default: 8081)", "(default: 512m; 2g for 5,000+ topics)"):
        assert default in text, default
