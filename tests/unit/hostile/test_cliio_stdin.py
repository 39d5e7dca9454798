"""Closed or non-terminal standard streams, as some CI runners start jobs (`kgov apply <&-` crashed
with "'NoneType' object has no attribute 'isatty'"): apply without --auto-approve refuses with a
clear message and applies nothing; every other command runs as usual; a closed stdout or stderr
swallows the output and keeps the exit code."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgov.cli.exits import outcome
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.kinds.base import Backends
from tests.support import sigint_default, write_catalog
from tests.unit.hostile.cliio_helpers import ROOT, assert_defused, catalog, run_kgov, snapshot_of

# apply as the console script runs it, against an in-memory cluster instead of a connection; what
# the cluster holds afterwards is printed last, on stderr.
APPLY_IN_MEMORY = """
import sys
import kgov.commands.apply as apply
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.kinds.base import Backends
from kgov.cli import main

cluster = MemoryCluster(brokers=1)
apply.connect = lambda catalog, env: Backends(kafka=cluster)
try:
    main()
finally:
    sys.stderr.write(f"\\ntopics on the cluster: {sorted(cluster.topics)}\\n")
"""


def _apply(tmp_path: Path, redirect: str, *extra: str) -> tuple[int, str]:
    script = tmp_path / "apply_in_memory.py"
    script.write_text(APPLY_IN_MEMORY, "utf-8")
    root = catalog(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, str(script),
         "apply", "--env", "local", "--catalog", str(root), *extra],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done.returncode, done.stderr


@pytest.mark.parametrize("redirect", ["<&-", "</dev/null"], ids=["stdin-closed", "stdin-not-a-terminal"])
def test_apply_without_auto_approve_refuses_off_a_terminal_and_applies_nothing(
    tmp_path: Path, redirect: str
) -> None:
    code, stderr = _apply(tmp_path, redirect)
    assert code == 1, stderr
    assert "refusing to apply" in stderr and "--auto-approve" in stderr
    assert "topics on the cluster: []" in stderr
    assert_defused(stderr)


def test_apply_with_auto_approve_needs_no_stdin(tmp_path: Path) -> None:
    code, stderr = _apply(tmp_path, "<&-", "--auto-approve")
    assert code == 0, stderr
    assert "topics on the cluster: ['orders.created']" in stderr


@pytest.mark.parametrize(
    "stdin", [None, "closed", "not-a-terminal"], ids=["none", "closed-file", "string-io"]
)
def test_run_apply_refuses_whatever_stdin_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str | None
) -> None:
    stream: io.StringIO | None = None if stdin is None else io.StringIO("y\n")
    if stdin == "closed":
        assert stream is not None
        stream.close()
    monkeypatch.setattr(sys, "stdin", stream)
    cluster = MemoryCluster(brokers=1)
    code = outcome(lambda: run_apply(catalog(tmp_path), "local", backends=Backends(kafka=cluster)))
    assert code == 1
    assert "refusing to apply" in capsys.readouterr().err
    assert cluster.topics == {}


@pytest.mark.parametrize("redirect", ["<&-", "<&- >&-", "<&- 2>&-", "<&- >&- 2>&-"])
@pytest.mark.parametrize(
    "args",
    [
        ["lint", "{catalog}"],
        ["plan", "--env", "local", "--catalog", "{catalog}", "--snapshot", "{snapshot}"],
        ["rules"],
        ["--version"],
        ["lint", "--help"],
    ],
    ids=["lint", "plan-snapshot", "rules", "version", "help"],
)
def test_every_command_runs_with_its_standard_streams_closed(
    tmp_path: Path, redirect: str, args: list[str]
) -> None:
    root = catalog(tmp_path)
    files = {"catalog": str(root), "snapshot": str(snapshot_of(root, tmp_path / "state.json"))}
    done = run_kgov(*(a.format(**files) for a in args), cwd=tmp_path, shell_redirect=redirect)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""
    if ">&-" not in redirect:
        assert done.stdout  # the answer still arrives


def test_an_error_with_stderr_closed_keeps_its_exit_code(tmp_path: Path) -> None:
    root = str(catalog(tmp_path))
    done = run_kgov("plan", "--env", "nope", "-c", root, cwd=tmp_path, shell_redirect="<&- 2>&-")
    assert done.returncode == 1


def test_ctrl_c_still_ends_with_130_when_stdin_is_closed(tmp_path: Path) -> None:
    """Ctrl-C while plan waits on a broker that never answers, run as `kgov plan … <&-`."""
    import signal
    import socket

    with socket.create_server(("127.0.0.1", 0), backlog=16) as silent:
        port = silent.getsockname()[1]
        settings = {"environments": {"local": {"kafka": {"bootstrap_servers": f"127.0.0.1:{port}"}}}}
        root = write_catalog(tmp_path / "catalog", {}, **settings)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        plan = subprocess.Popen(
            ["sh", "-c", 'exec "$@" <&-', "sh", sys.executable, "-m", "kgov",
             "plan", "--env", "local", "-c", str(root)],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=sigint_default,
        )  # fmt: skip
        try:
            silent.settimeout(60)  # start-up on a busy machine
            connection, _ = silent.accept()  # kgov now waits for Kafka's answer
            with connection:
                plan.send_signal(signal.SIGINT)
                _, stderr = plan.communicate(timeout=30)
        finally:
            plan.kill()
            plan.wait()
    assert plan.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
