"""Pid files, recognising our own processes, stopping them, log tails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kgov.sandbox.process import (
    ProcState,
    check_pid_file,
    is_alive,
    is_ours,
    marks,
    read_pid,
    remove_pid,
    rotate_log,
    rss_bytes,
    spawn,
    stop,
    tail,
    write_pid,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_pid_file_round_trip(tmp_path: Path) -> None:
    pid_file = tmp_path / "run" / "kafka.pid"
    assert read_pid(pid_file) is None
    write_pid(pid_file, 4242)
    assert read_pid(pid_file) == 4242
    remove_pid(pid_file)
    assert not pid_file.exists()
    remove_pid(pid_file)  # twice is fine


def test_garbage_in_pid_file(tmp_path: Path) -> None:
    pid_file = tmp_path / "kafka.pid"
    pid_file.write_text("not a pid\n")
    assert read_pid(pid_file) is None
    check = check_pid_file(pid_file, tmp_path, "kafka")
    assert check.state is ProcState.CRASHED
    assert "no pid" in check.reason


def test_no_pid_file_means_stopped(tmp_path: Path) -> None:
    assert check_pid_file(tmp_path / "kafka.pid", tmp_path, "kafka").state is ProcState.STOPPED


def test_dead_pid_means_crashed(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    pid_file = tmp_path / "kafka.pid"
    write_pid(pid_file, proc.pid)
    check = check_pid_file(pid_file, tmp_path, "kafka")
    assert check.state is ProcState.CRASHED
    assert "is gone" in check.reason


def test_a_live_process_that_is_not_ours_is_left_alone(tmp_path: Path) -> None:
    import os

    pid_file = tmp_path / "kafka.pid"
    write_pid(pid_file, os.getpid())  # pytest itself: alive, but without our marks
    check = check_pid_file(pid_file, tmp_path, "kafka")
    assert check.state is ProcState.CRASHED
    assert "another program" in check.reason


def test_spawn_check_measure_stop(tmp_path: Path) -> None:
    log, pid_file = tmp_path / "logs" / "x.log", tmp_path / "run" / "x.pid"
    pid = spawn([*SLEEPER, *marks(tmp_path, "kafka")], log_file=log, pid_file=pid_file, cwd=tmp_path)
    try:
        assert read_pid(pid_file) == pid
        assert is_alive(pid)
        assert is_ours(pid, tmp_path, "kafka")
        assert not is_ours(pid, tmp_path, "registry")
        assert not is_ours(pid, tmp_path / "other", "kafka")
        assert check_pid_file(pid_file, tmp_path, "kafka").state is ProcState.RUNNING
        rss = rss_bytes(pid)
        assert rss is not None and rss > 0
    finally:
        outcome = stop(pid, timeout=5)
    assert outcome == "terminated"
    assert not is_alive(pid)
    assert check_pid_file(pid_file, tmp_path, "kafka").state is ProcState.CRASHED


def test_stop_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    assert stop(proc.pid, timeout=0.5) == "killed"
    assert not is_alive(proc.pid)
    proc.stdout.close()


def test_tail_and_rotate(tmp_path: Path) -> None:
    log = tmp_path / "kafka.log"
    assert tail(log, 5) == []
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert tail(log, 3) == ["line 97", "line 98", "line 99"]
    assert tail(log, 0) == []
    rotate_log(log)
    assert not log.exists()
    assert tail(tmp_path / "kafka.log.1", 1) == ["line 99"]
