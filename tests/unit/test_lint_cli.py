"""`kgov lint` end to end through the typer app: exit codes, formats, --strict, --env."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kgov.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "catalog"


def lint(*args: str) -> Result:
    return CliRunner().invoke(app, ["lint", *args])


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_example_catalog_is_clean() -> None:
    result = lint(str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "✓ catalog is clean (15 topics, 6 services, 19 schemas)"


def test_missing_folder_is_an_error_without_traceback(tmp_path: Path) -> None:
    result = lint(str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "does not exist" in " ".join(result.output.split())  # stderr wraps at 80 columns
    assert "Traceback" not in result.output


def test_errors_give_exit_1_and_a_summary(catalog: Path) -> None:
    edit(catalog / "topics" / "orders.yaml", "partitions: 6", "partitions: 500")
    (catalog / "schemas" / "orders.extra-value.avsc").write_text('"string"', "utf-8")
    result = lint(str(catalog))
    assert result.exit_code == 1
    out = result.stdout
    assert f"{catalog}/topics/orders.yaml:7:5  error   partitions-bounds" in out
    assert "hint: choose a partition count" in out
    assert out.strip().splitlines()[-1] == "1 error, 1 warning in 2 files"


def test_warnings_fail_only_with_strict(catalog: Path) -> None:
    (catalog / "schemas" / "orders.extra-value.avsc").write_text('"string"', "utf-8")
    assert lint(str(catalog)).exit_code == 0
    strict = lint(str(catalog), "--strict")
    assert strict.exit_code == 1
    assert "unused-schema" in strict.stdout


def test_json_format(catalog: Path) -> None:
    edit(catalog / "acls" / "orders.yaml", "'${env:ORDERS_PASSWORD}'", "letmein")
    result = lint(str(catalog), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["version"] == 1
    assert doc["summary"] == {
        "errors": 1, "warnings": 0, "files": 1, "topics": 15, "services": 6, "schemas": 19,
    }  # fmt: skip
    (d,) = doc["diagnostics"]
    assert (d["rule"], d["line"], d["column"]) == ("literal-secret", 6, 37)
    assert "letmein" not in result.stdout


def test_sarif_and_github_formats(catalog: Path) -> None:
    edit(catalog / "topics" / "orders.yaml", "retention.ms: 7d", "retention.msec: 7d")
    sarif = lint(str(catalog), "-f", "sarif")
    assert sarif.exit_code == 1
    run = json.loads(sarif.stdout)["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "unknown-config"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 11, "startColumn": 7}
    github = lint(str(catalog), "-f", "github")
    assert github.exit_code == 1
    assert github.stdout.startswith("::error file=")
    assert ",line=11,col=7,title=unknown-config::" in github.stdout


def _break_local(catalog: Path) -> None:
    # local: one replica, but drop its min.insync.replicas override (2 > 1 for every topic)
    edit(catalog / "kgov.yaml", "      config: {min.insync.replicas: 1}\n", "")


def test_env_defaults_to_all_environments(catalog: Path) -> None:
    _break_local(catalog)
    result = lint(str(catalog))
    assert result.exit_code == 1
    assert "environment 'local'" in result.stdout
    assert "15 topics" in result.stdout


def test_env_limits_the_environments_checked(catalog: Path) -> None:
    _break_local(catalog)
    assert lint(str(catalog), "--env", "prod").exit_code == 0
    assert lint(str(catalog), "--env", "local").exit_code == 1


def test_unknown_env_is_an_error(catalog: Path) -> None:
    result = lint(str(catalog), "--env", "staging")
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "unknown environment 'staging'" in output
    assert "local, local3, prod" in output


def test_every_problem_is_reported_not_just_the_first(catalog: Path) -> None:
    edit(catalog / "topics" / "orders.yaml", "partitions: 6", "partitions: 0")  # structure: file dropped
    edit(catalog / "topics" / "users.yaml", "partitions: 3", "partitions: 500")
    edit(catalog / "acls" / "users.yaml", "'${env:USERS_PASSWORD}'", "plain")
    edit(catalog / "kgov.yaml", "version: 1", "version: 1\nfoo: bar")
    doc = json.loads(lint(str(catalog), "-f", "json").stdout)
    rules = {d["rule"] for d in doc["diagnostics"]}
    assert {"structure", "partitions-bounds", "literal-secret"} <= rules


def test_a_file_is_not_a_catalog_folder() -> None:
    result = lint(str(EXAMPLE / "kgov.yaml"))
    assert result.exit_code == 1
    assert "is a file, not a folder" in " ".join(result.output.split())


def test_benchmark_catalog_generator_makes_a_clean_catalog(tmp_path: Path) -> None:
    import importlib.util

    path = EXAMPLE.parent / "benchmarks" / "lint_benchmark.py"
    spec = importlib.util.spec_from_file_location("lint_benchmark", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.measure(topics=300, services=12, schemas=True)  # exits if not clean
    assert figures["topics"] == 300 and figures["diagnostics"] == 0
    assert figures["total_s"] > 0 and figures["peak_mb"] > 0
