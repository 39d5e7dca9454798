"""Detached processes with pid files: start, recognise as ours, measure, stop. Linux /proc first, `ps` else.

A process is "ours" only when its command line carries the marker `-Dkgov.sandbox.home=<state dir>` and
`-Dkgov.sandbox.component=<name>`: a pid file left behind after a reboot may name someone else's process.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

HOME_MARK = "-Dkgov.sandbox.home="
COMPONENT_MARK = "-Dkgov.sandbox.component="


class ProcState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"  # no pid file: never started, or stopped cleanly
    CRASHED = "crashed"  # a pid file whose process is gone (or is no longer ours)


@dataclass(frozen=True)
class PidCheck:
    state: ProcState
    pid: int | None
    reason: str = ""


def marks(home: Path, component: str) -> list[str]:
    return [f"{HOME_MARK}{home}", f"{COMPONENT_MARK}{component}"]


def read_pid(pid_file: Path) -> int | None:
    """The pid in a pid file, or None when there is no file or it holds no number."""
    try:
        text = pid_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def write_pid(pid_file: Path, pid: int) -> None:
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = pid_file.with_name(pid_file.name + ".tmp")
    tmp.write_text(f"{pid}\n", encoding="ascii")
    tmp.replace(pid_file)


def remove_pid(pid_file: Path) -> None:
    pid_file.unlink(missing_ok=True)


def _proc_state(pid: int) -> str | None:
    """The one-letter state from /proc/<pid>/stat, None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return "?"
    return stat.rsplit(")", 1)[-1].split()[0] if ")" in stat else "?"


def is_alive(pid: int) -> bool:
    """True for a live process; a zombie (exited, not yet reaped by its parent) counts as dead."""
    if Path("/proc").is_dir() and Path("/proc/self").exists():
        state = _proc_state(pid)
        return state is not None and state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return None
        out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
        return out.stdout.split() if out.returncode == 0 and out.stdout.strip() else None
    except OSError:
        return None
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def is_ours(pid: int, home: Path, component: str) -> bool:
    args = cmdline(pid)
    return args is not None and all(mark in args for mark in marks(home, component))


def check_pid_file(pid_file: Path, home: Path, component: str) -> PidCheck:
    """Running (alive and ours), stopped (no pid file) or crashed (stale pid file)."""
    if not pid_file.exists():
        return PidCheck(ProcState.STOPPED, None)
    pid = read_pid(pid_file)
    if pid is None:
        return PidCheck(ProcState.CRASHED, None, "the pid file holds no pid")
    if not is_alive(pid):
        return PidCheck(ProcState.CRASHED, pid, f"process {pid} is gone")
    if not is_ours(pid, home, component):
        return PidCheck(ProcState.CRASHED, pid, f"pid {pid} now belongs to another program")
    return PidCheck(ProcState.RUNNING, pid)


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, check=False)
    text = out.stdout.strip()
    return int(text) * 1024 if out.returncode == 0 and text.isdigit() else None


def rotate_log(log_file: Path) -> None:
    """Keep the previous run's log as <name>.1 so a new start begins with an empty file."""
    if log_file.exists() and log_file.stat().st_size > 0:
        log_file.replace(log_file.with_name(log_file.name + ".1"))


def raise_open_file_limit() -> None:
    """Soft limit on open files := hard limit, in the calling process (a broker keeps files open per
    partition: the soft limit, not the machine, is what stops it first)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def open_file_limit(pid: int) -> int | None:
    """The soft limit on open files of a running process, from /proc/<pid>/limits (None if unknown)."""
    try:
        text = Path(f"/proc/{pid}/limits").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Max open files"):
            soft = line[len("Max open files") :].split()[0]
            return int(soft) if soft.isdigit() else None
    return None


def open_files(pid: int) -> int | None:
    """How many files a process has open now (None if it cannot be seen)."""
    try:
        return sum(1 for _ in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None


def started_at(pid_file: Path) -> float | None:
    """When the process of a pid file was started (the file is written right after the start)."""
    try:
        return pid_file.stat().st_mtime
    except OSError:
        return None


def spawn(
    args: Sequence[str], *, log_file: Path, pid_file: Path, cwd: Path, raise_nofile: bool = False
) -> int:
    """Start a detached process (own session, no stdin, output to log_file) and record its pid.

    raise_nofile: the child's soft limit on open files is raised to its hard limit first."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    rotate_log(log_file)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            list(args),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            preexec_fn=raise_open_file_limit if raise_nofile else None,
        )
    # The Popen object is dropped on purpose: the process outlives us. Python reaps it if we live longer.
    write_pid(pid_file, proc.pid)
    return proc.pid


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        _reap(pid)
        if not is_alive(pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def stop(pid: int, timeout: float) -> str:
    """SIGTERM, wait up to `timeout` seconds, then SIGKILL. Returns how it ended: "terminated"/"killed"."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if wait_gone(pid, timeout):
        return "terminated"
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_gone(pid, 10.0)
    return "killed"


def tail(path: Path, lines: int = 20) -> list[str]:
    """The last `lines` lines of a text file ([] when it does not exist)."""
    if lines <= 0:
        return []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return [line.rstrip("\n") for line in deque(fh, maxlen=lines)]
    except OSError:
        return []


def stop_many(pids: Sequence[int], timeout: float) -> dict[int, str]:
    """Stop several processes at once: SIGTERM to all, wait up to `timeout`, SIGKILL what is left."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    outcome: dict[int, str] = {}
    for pid in pids:
        remaining = max(0.0, deadline - time.monotonic())
        outcome[pid] = "terminated" if wait_gone(pid, remaining) else stop(pid, 0.0)
    return outcome
