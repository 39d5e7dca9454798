"""Every command's --help teaches by example."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kgov.cli import app


@pytest.mark.parametrize("command", ["lint", "rules", "plan", "apply", "import", "sandbox", "audit"])
def test_help_shows_examples_of_the_command(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    examples = lines[lines.index("Example" if "Example" in lines else "Examples") + 1 :]
    assert any(line.startswith(f"kgov {command}") for line in examples), result.stdout
