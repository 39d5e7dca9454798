"""Text is printed as it is: a name holding a Rich emoji code (`:x:`, `:smile:`) reaches the
terminal as those characters, never as an emoji, on every console kgov prints through (the
commands' stdout and stderr, the error path of kgov/cli/exits.py, the sandbox's commands). A
principal `Group:x` followed by ": " was shown as "Group❌", a different principal to a reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgov.bindings import Binding
from kgov.cli.exits import outcome
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.importer import run_import
from kgov.commands.plan import run_plan
from kgov.kinds.base import Backends
from tests.support import kgov
from tests.unit.hostile.cliio_helpers import catalog


def test_an_unknown_environment_named_like_an_emoji_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = outcome(
        lambda: run_plan(catalog(tmp_path), ":x:", backends=Backends(kafka=MemoryCluster(brokers=1)))
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "':x:'" in err and "❌" not in err


def test_a_principal_named_like_an_emoji_code_in_the_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = MemoryCluster(brokers=1)
    cluster.create_acls([Binding("Group:x", "topic", "literal", "orders.created", "READ")])
    code = outcome(
        lambda: run_import(
            catalog(tmp_path), "local", out_dir=tmp_path / "out", backends=Backends(kafka=cluster)
        )
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Group:x" in out + err and "❌" not in out + err


def test_a_sandbox_state_dir_named_like_an_emoji_code(tmp_path: Path) -> None:
    state_dir = tmp_path / ":smile:"
    result = kgov("sandbox", "status", "--state-dir", str(state_dir))
    assert result.code == 0, result.output
    assert f"No sandbox in {state_dir}" in result.stdout
