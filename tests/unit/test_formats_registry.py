"""Each output's formats are one table (kgov/render/formats.py): the command line offers exactly its
names, with its default, and the table loads no renderer until one is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from kgov.cli.typer_app import app
from kgov.errors import ConfigError
from kgov.render.formats import APPLY, AUDIT, DIFF, LINT, PLAN, RULES, SCHEMA_CHECK, Formats
from tests.support import kgov

ROOT = Path(__file__).resolve().parents[2]
# Each command, the arguments it needs besides --format, and the table of its --format.
COMMANDS: list[tuple[str, list[str], Formats[Any]]] = [
    ("lint", [], LINT),
    ("rules", [], RULES),
    ("plan", ["-e", "x"], PLAN),
    ("apply", ["-e", "x"], APPLY),
    ("diff", ["-b", "x"], DIFF),
    ("audit", ["-e", "x"], AUDIT),
]


def _format_read(name: str, line: list[str]) -> str:
    """The --format that typer reads on `kgov NAME LINE` (parsed, not run)."""
    group: Any = typer.main.get_command(app)
    context = group.make_context("kgov", [name, *line])
    fmt = group.get_command(context, name).make_context(name, list(line), parent=context).params["fmt"]
    return str(getattr(fmt, "value", fmt))


@pytest.mark.parametrize(("name", "line", "table"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_the_command_line_offers_exactly_the_tables_formats(
    name: str, line: list[str], table: Formats[Any]
) -> None:
    assert _format_read(name, line) == table.default
    for fmt in table.names:
        assert _format_read(name, [*line, "--format", fmt]) == fmt
    assert kgov(name, *line, "--format", "nope").code == 64  # a usage error, before any work


def test_schema_check_takes_its_tables_default() -> None:
    group: Any = typer.main.get_command(app)
    context = group.make_context("kgov", ["schema", "check"])
    schema = group.get_command(context, "schema")
    inner = schema.make_context("schema", ["check"], parent=context)
    line = ["--old", "a", "--new", "b", "--level", "full"]
    params = schema.get_command(inner, "check").make_context("check", line, parent=inner).params
    assert params["fmt"] == SCHEMA_CHECK.default


def test_a_name_outside_a_table_is_refused_with_the_names() -> None:
    assert "sarif" in LINT and "sarif" not in PLAN
    with pytest.raises(ConfigError, match="unknown format 'sarif'") as refused:
        PLAN["sarif"]
    assert refused.value.hint == "use one of text, json, markdown"


def test_the_tables_load_no_renderer() -> None:
    code = (
        "import sys, kgov.render.formats\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rich', 'kgov.render.'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['kgov.render.formats']"
