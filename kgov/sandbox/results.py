"""What the sandbox API reports: progress callbacks and the frozen results of status, up and down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kgov.sandbox.capacity import Capacity
from kgov.sandbox.process import ProcState
from kgov.sandbox.registry import RegistryInfo
from kgov.sandbox.settings import Settings


class Progress(Protocol):
    def step(self, text: str) -> None:
        """A new step begins (the previous one is done)."""

    def detail(self, text: str) -> None:
        """More about the current step (e.g. a download count)."""


class QuietProgress:
    def step(self, text: str) -> None:
        pass

    def detail(self, text: str) -> None:
        pass


@dataclass(frozen=True)
class ProcessStatus:
    component: str  # the process name: kafka | controller | broker-<k> | registry
    state: ProcState
    pid: int | None
    ports: tuple[tuple[str, int], ...]
    rss_bytes: int | None
    log_file: Path
    reason: str = ""
    log_tail: tuple[str, ...] = ()
    started_at: float | None = None  # epoch seconds, while running
    open_file_limit: int | None = None  # the running process's soft RLIMIT_NOFILE


@dataclass(frozen=True)
class SandboxStatus:
    state_dir: Path
    settings: Settings | None
    processes: tuple[ProcessStatus, ...]

    @property
    def running(self) -> bool:
        return all(p.state is ProcState.RUNNING for p in self.processes)

    def of(self, component: str) -> ProcessStatus:
        return next(p for p in self.processes if p.component == component)


@dataclass(frozen=True)
class UpResult:
    already_running: bool
    started: tuple[str, ...]
    seconds: float
    settings: Settings
    cluster_id: str
    registry: RegistryInfo
    notes: tuple[str, ...] = ()
    memory: tuple[tuple[str, int | None], ...] = ()  # (process, RSS bytes) once everything answers
    capacity: Capacity | None = None


@dataclass(frozen=True)
class StopResult:
    component: str
    pid: int | None
    outcome: str  # "stopped", "killed", "not running", "crashed", "not ours"
    detail: str = ""
    log_tail: tuple[str, ...] = ()


@dataclass(frozen=True)
class DownResult:
    stopped: tuple[StopResult, ...]
    purged: Path | None = None
