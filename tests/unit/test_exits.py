"""Errors become exit codes in one place, and no message text can break the output."""

from __future__ import annotations

import pytest
import typer

from kgov.cli.exits import run_command
from kgov.errors import ClusterError, KgovError


def _code(command: object, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(typer.Exit) as exit_info:
        run_command(command)  # type: ignore[arg-type]
    return exit_info.value.exit_code, capsys.readouterr().err


def test_kgov_error_is_a_message_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    def fail() -> int:
        raise ClusterError("broker said [/x] and [bold]", hint="try [this]")

    code, err = _code(fail, capsys)
    assert code == 1
    assert "error: broker said [/x] and [bold]" in err
    assert "hint: try [this]" in err


def test_unexpected_exception_is_one_line_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KGOV_DEBUG", raising=False)

    def bug() -> int:
        raise RuntimeError("boom [/oops]")

    code, err = _code(bug, capsys)
    assert code == 1
    assert "internal error: RuntimeError: boom [/oops]" in err
    assert "Traceback" not in err


def test_return_value_is_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert _code(lambda: 2, capsys)[0] == 2


def test_error_exit_code_comes_from_the_error(capsys: pytest.CaptureFixture[str]) -> None:
    class Special(KgovError):
        exit_code = 3

    def fail() -> int:
        raise Special("x")

    assert _code(fail, capsys)[0] == 3


def test_interrupt_is_130(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    code, err = _code(interrupted, capsys)
    assert code == 130
    assert "interrupted" in err
