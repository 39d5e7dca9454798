"""Start-up: each command imports only what it needs (the figures are in benchmarks/startup_benchmark.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kgov.cli import app
from kgov.cli.group import SANDBOX_HELP

ROOT = Path(__file__).resolve().parents[2]
HEAVY_FOR_EVERY_COMMAND_BUT_ITS_OWN = ("confluent_kafka", "kgov.sandbox", "kgov.cluster")


def modules_after(*args: str) -> tuple[int, str, set[str]]:
    """Exit code, stdout and the imported modules of `kgov ARGS` run in a fresh interpreter."""
    code = (
        "import json, sys\n"
        f"sys.argv = ['kgov', *{list(args)!r}]\n"
        # fast() is main() without its exit at once (os._exit), which would skip the report below
        "from kgov.cli import fast, main\n"
        "try:\n    code = fast(sys.argv[1:])\n    if code is None:\n        main()\n        code = 0\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps([code, sorted(sys.modules)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    exit_code, modules = json.loads(done.stderr.rsplit("\nMODULES ", 1)[1])
    return exit_code, done.stdout, set(modules)


def imported(modules: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


def test_version_imports_no_library() -> None:
    code, out, modules = modules_after("--version")
    assert (code, out) == (0, "kgov 0.1.0\n")
    for package in ("typer", "rich", "jsonschema", "yaml", *HEAVY_FOR_EVERY_COMMAND_BUT_ITS_OWN):
        assert not imported(modules, package), package


def test_lint_imports_neither_kafka_nor_the_sandbox() -> None:
    code, out, modules = modules_after("lint", "catalog")
    assert (code, out.strip()) == (0, "✓ catalog is clean (15 topics, 6 services, 19 schemas)")
    # Nor typer, rich or jsonschema: the usual lint lines skip typer, the text is plain, and the
    # example's files (draft-07 JSON Schemas included) pass the compiled checks.
    for package in (*HEAVY_FOR_EVERY_COMMAND_BUT_ITS_OWN, "typer", "rich", "jsonschema", "pydantic"):
        assert not imported(modules, package), package


def test_lint_help_and_usage_errors_are_still_typers() -> None:
    code, out, modules = modules_after("lint", "--help")
    assert code == 0 and "kgov lint" in out and "--format" in out and imported(modules, "typer")
    code, _, _ = modules_after("lint", "--format", "yaml")
    assert code == 64


def test_plan_runs_without_typer_and_its_help_is_typers() -> None:
    # typer imports pydantic and builds a validator per option: more than a pull request's plan of
    # a large catalog takes otherwise. The environment does not exist: plan reads the catalog and stops.
    code, out, modules = modules_after("plan", "--env", "nowhere", "--detailed-exitcode")
    assert code == 1 and out == ""
    for package in ("typer", "pydantic"):
        assert not imported(modules, package), package
    code, out, modules = modules_after("plan", "--help")
    assert code == 0 and "kgov plan" in out and "--detailed-exitcode" in out and imported(modules, "typer")
    code, _, _ = modules_after("plan", "--env", "x", "--format", "sarif")
    assert code == 64


def test_lint_explains_a_broken_file_with_jsonschema(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "kgov.yaml").write_text("version: 1.0\n")
    code, out, modules = modules_after("lint", str(catalog), "--format", "json")
    assert code == 1 and imported(modules, "jsonschema")
    assert "expected a whole number" in out


def test_help_lists_the_sandbox_without_importing_it() -> None:
    code, out, modules = modules_after("--help")
    assert code == 0
    assert "sandbox" in out and "lint" in out
    for package in HEAVY_FOR_EVERY_COMMAND_BUT_ITS_OWN:
        assert not imported(modules, package), package


def test_sandbox_help_shown_at_the_root_is_the_sandbox_apps_own() -> None:
    from kgov.cli.sandbox import app as sandbox_app

    assert sandbox_app.info.help == SANDBOX_HELP


def test_sandbox_commands_run_through_the_root_app(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sandbox", "env", "--state-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "there is no sandbox in" in result.stderr
    help_text = CliRunner().invoke(app, ["sandbox", "--help"])
    assert help_text.exit_code == 0
    assert "kgov sandbox" in help_text.stdout and "status" in help_text.stdout
