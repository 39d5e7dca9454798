"""Secret references: resolved only for clients, files read bounded and only if regular, redacted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgov.errors import ConfigError, KgovError
from kgov.redact import redact
from kgov.secrets import MAX_SECRET_FILE_BYTES, SECRET_FIELDS, is_reference, resolve_refs, shown

REPO = Path(__file__).resolve().parents[2]


def test_secret_fields_list_both_password_fields() -> None:
    assert {"password", "ssl_key_password"} <= SECRET_FIELDS


def test_is_reference_only_for_exactly_one_reference() -> None:
    assert is_reference("${env:PW}") and is_reference(" ${file:/run/pw} ")
    assert not is_reference("x${env:PW}") and not is_reference("hunter2") and not is_reference(7)


def test_env_and_file_references_resolve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOST_A", "a.example:9092")
    secret = tmp_path / "pw"
    secret.write_text("  from-file\n")
    assert resolve_refs("${env:HOST_A},b:1", "f") == "a.example:9092,b:1"
    assert resolve_refs(f"${{file:{secret}}}", "f") == "from-file"


def _refused(target: str) -> str:
    with pytest.raises(ConfigError) as info:
        resolve_refs(f"${{file:{target}}}", "environments.prod.kafka.password")
    assert "environments.prod.kafka.password" in info.value.message
    return info.value.message


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in _refused(str(fifo))


def test_a_device_is_refused_unread() -> None:
    assert "not a regular file" in _refused("/dev/zero")


def test_stdin_as_a_pipe_is_refused_in_a_real_process() -> None:
    code = (
        "from kgov.secrets import resolve_refs\n"
        "from kgov.errors import ConfigError\n"
        "try:\n    resolve_refs('${file:/dev/stdin}', 'pw')\n"
        "except ConfigError as exc:\n    print(exc.message)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,  # kept open: reading it would hang
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert "not a regular file" in proc.stdout, proc.stdout + proc.stderr


def test_empty_big_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    empty, big, latin = tmp_path / "empty", tmp_path / "big", tmp_path / "latin"
    empty.write_text("\n")
    big.write_bytes(b"x" * (MAX_SECRET_FILE_BYTES + 1))
    latin.write_bytes(b"caf\xe9-s3cret")
    assert "is empty" in _refused(str(empty))
    assert "KiB" in _refused(str(big))
    message = _refused(str(latin))
    assert "not UTF-8" in message and "s3cret" not in message
    assert "cannot be read" in _refused(str(tmp_path / "missing"))


def test_missing_variable_is_named_never_valued(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_PW", raising=False)
    with pytest.raises(ConfigError) as info:
        resolve_refs("${env:NOPE_PW}", "environments.prod.kafka.password")
    assert "NOPE_PW" in info.value.message and "is not set" in info.value.message


def test_errors_never_carry_a_resolved_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDACT_ME", "zq-5ecret-host")
    resolve_refs("127.0.0.1:1,${env:REDACT_ME}", "bootstrap_servers")
    error = KgovError("Failed to resolve 'zq-5ecret-host:9092'", hint="zq-5ecret-host is down")
    assert error.message == "Failed to resolve '${env:REDACT_ME}:9092'"
    assert error.hint == "${env:REDACT_ME} is down"
    assert redact("nothing here") == "nothing here"


def test_shown_is_the_setting_as_written_and_printable() -> None:
    assert shown("127.0.0.1:1,${env:TOKEN}") == "127.0.0.1:1,${env:TOKEN}"
    assert shown("a\x1b[2Jb") == "a\\x1b[2Jb"


def test_secrets_module_depends_on_no_plan_cluster_or_commands_module() -> None:
    import ast

    tree = ast.parse((REPO / "kgov" / "secrets.py").read_text("utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m.startswith(("kgov.plan", "kgov.cluster", "kgov.commands"))}
    assert imported & {"kgov.errors"}  # the check reads the imports it should (not an empty set)
