"""What the `kgov sandbox` commands do and print: one function per command returning an exit code.

kgov/cli/sandbox.py holds only the options. Errors become exit codes in kgov/cli/exits.py, as everywhere.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.status import Status
from rich.table import Table
from rich.text import Text

from kgov.catalog.model import Policy
from kgov.errors import EXIT_ERROR, EXIT_OK, SandboxError
from kgov.sandbox.api import DownResult, Sandbox, SandboxStatus, UpResult
from kgov.sandbox.capacity import FILES_PER_REPLICA, MAPS_PER_REPLICA, Capacity
from kgov.sandbox.envvars import export_lines
from kgov.sandbox.nodes import bootstrap
from kgov.sandbox.paths import DEFAULT_STATE_DIR, Component
from kgov.sandbox.process import ProcState
from kgov.sandbox.properties import shown
from kgov.sandbox.settings import Overrides, kafka_process_names

err = Console(stderr=True, highlight=False, emoji=False)
# markup off on stdout: its lines interpolate paths (--state-dir) that may hold '[/]'; the two
# styled lines below ask for it
out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)


class RichProgress:
    """Steps as ✓ lines on stderr, the current one with a spinner and its elapsed time."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status: Status | None = None
        self.current = ""
        self.started = 0.0

    def _finish_current(self) -> None:
        if self.current:
            self.console.print(f"[green]✓[/] {self.current} [dim]({time.monotonic() - self.started:.1f}s)[/]")

    def step(self, text: str) -> None:
        self._finish_current()
        self.current, self.started = text, time.monotonic()
        if not text:
            self.close()
            return
        if self.status is None:
            self.status = self.console.status(text)
            self.status.start()
        else:
            self.status.update(text)

    def detail(self, text: str) -> None:
        if self.status is not None:
            self.status.update(f"{self.current} [dim]— {text}[/]")

    def fail(self) -> None:
        if self.current:
            self.console.print(f"[red]✗[/] {self.current} [dim]({time.monotonic() - self.started:.1f}s)[/]")
            self.current = ""
        self.close()

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / (1024 * 1024):.0f} MiB"


def _since(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return f"{time.strftime('%H:%M:%S', time.localtime(epoch))} ({time.time() - epoch:.0f}s ago)"


def _capacity_line(cap: Capacity) -> str:
    """Room for partitions, and why (kgov/sandbox/capacity.py has the formula)."""
    bound = (
        f"open-file limit {cap.open_file_limit} per broker, {FILES_PER_REPLICA} open file per replica"
        if cap.bound_by == "open files"
        else f"vm.max_map_count {cap.max_map_count}, {MAPS_PER_REPLICA} memory maps per replica"
    )
    line = (
        f"  Room for about {cap.partitions:,} partitions of replication factor "
        f"{cap.replication_factor} ({bound})"
    )
    default = Policy().capacity.max_partitions_per_broker
    if cap.replicas_per_broker < default:  # kgov plan checks brokers against the lower figure
        line += (
            f"\n  That is {cap.replicas_per_broker:,} partition replicas per broker, below kgov plan's "
            f"{default:,}: set policy.capacity.max_partitions_per_broker: {cap.replicas_per_broker} "
            "in kgov.yaml for this sandbox (docs/capacity.md)"
        )
    return line


def do_up(state_dir: Path, over: Overrides, timeout: float) -> int:
    sandbox = Sandbox(state_dir)
    progress = RichProgress(err)
    try:
        result = sandbox.up(over, timeout=timeout, progress=progress)
    except BaseException:
        progress.fail()
        raise
    progress.close()
    _print_summary(sandbox, result)
    return EXIT_OK


def _print_summary(sandbox: Sandbox, result: UpResult) -> None:
    for note in result.notes:
        err.print(f"[yellow]note:[/] {escape(note)}")
    env = sandbox.env()
    if result.already_running:
        out.print(f"The sandbox in {sandbox.paths.root} is already running (cluster {result.cluster_id}).")
    else:
        started = ", ".join(result.started)
        out.print(f"Sandbox up in {result.seconds:.1f}s (started {started}; cluster {result.cluster_id}).")
    ports = result.settings.ports
    shape = "one combined node" if result.settings.brokers == 1 else f"{result.settings.brokers} brokers"
    out.print(f"  Kafka {result.settings.kafka_version} ({shape}; every broker in each list):")
    if result.settings.server_properties:
        out.print(f"    server properties: {shown(result.settings.server_properties)}")
    out.print(f"    PLAINTEXT        {env['KGOV_BOOTSTRAP_PLAINTEXT']}  (no auth; super user)")
    out.print(
        f"    SASL_PLAINTEXT   {env['KGOV_BOOTSTRAP_SASL']}  (SCRAM-SHA-256/512, user {env['KGOV_USERNAME']})"
    )
    out.print(f"    SASL_SSL         {env['KGOV_BOOTSTRAP_SSL']}  (SCRAM over TLS, CA {env['KGOV_CA_FILE']})")
    out.print(
        f"    SSL (mTLS)       {env['KGOV_BOOTSTRAP_MTLS']}  (client cert {env['KGOV_CLIENT_CERT_FILE']})"
    )
    out.print(
        f"    OAUTH            {env['KGOV_BOOTSTRAP_OAUTH']}  (SASL_PLAINTEXT, OAUTHBEARER: tokens from "
        f"{env['KGOV_OAUTH_TOKEN_URL']}, client id {env['KGOV_OAUTH_CLIENT_ID']})"
    )
    out.print(f"    controller       127.0.0.1:{ports.controller}")
    registry_url = env["KGOV_SCHEMA_REGISTRY_URL"]
    out.print(f"  Schema Registry:   {registry_url}  ({result.registry.label}, compatibility BACKWARD)")
    out.print("                     (in-memory storage: schemas are gone after the registry restarts)")
    out.print(f"  Admin password in  {sandbox.paths.password_file}")
    out.print(f"  OAuth secret in    {sandbox.paths.oauth_secret_file}  (any client id; sub = client id)")
    known = [rss for _, rss in result.memory if rss is not None]
    if known:
        each = ", ".join(f"{name} {_mib(rss)}" for name, rss in result.memory)
        out.print(f"  Memory (RSS):      {_mib(sum(known))} ({each})")
    if result.capacity is not None:
        out.print(_capacity_line(result.capacity))
    flag = (
        ""
        if sandbox.paths.root == Path(DEFAULT_STATE_DIR).resolve()
        else f" --state-dir {sandbox.paths.root}"
    )
    out.print(f'Use it:  eval "$(kgov sandbox env{flag})"     Stop it:  kgov sandbox down{flag}')


def do_env(state_dir: Path) -> int:
    sandbox = Sandbox(state_dir)
    env = sandbox.env()
    if not sandbox.is_running():
        err.print("[yellow]warning:[/] the sandbox is not running (start it: kgov sandbox up)", markup=True)
    sys.stdout.write(export_lines(env))
    return EXIT_OK


def _status_json(status: SandboxStatus) -> dict[str, Any]:
    return {
        "state_dir": str(status.state_dir),
        "running": status.running,
        "kafka_version": status.settings.kafka_version if status.settings else None,
        "brokers": status.settings.brokers if status.settings else None,
        "registry_version": status.settings.registry_version if status.settings else None,
        "processes": [
            {
                "component": p.component,
                "state": p.state.value,
                "pid": p.pid,
                "ports": dict(p.ports),
                "rss_bytes": p.rss_bytes,
                "started_at": p.started_at,
                "open_file_limit": p.open_file_limit,
                "log_file": str(p.log_file),
                "reason": p.reason or None,
                "log_tail": list(p.log_tail),
            }
            for p in status.processes
        ],
    }


def do_status(state_dir: Path, fmt: str) -> int:
    """Exit 0 unless a process the sandbox started has crashed (1), so scripts can check health."""
    status = Sandbox(state_dir).status()
    crashed = any(p.state is ProcState.CRASHED for p in status.processes)
    if fmt == "json":
        sys.stdout.write(json.dumps(_status_json(status), indent=2) + "\n")
        return EXIT_ERROR if crashed else EXIT_OK
    if status.settings is None:
        out.print(f"No sandbox in {status.state_dir} (start one: kgov sandbox up).")
        return EXIT_OK
    table = Table(title=f"sandbox {status.state_dir}", title_justify="left")
    for col in ("process", "state", "pid", "ports", "RSS", "started"):
        table.add_column(col)
    colours = {ProcState.RUNNING: "green", ProcState.STOPPED: "dim", ProcState.CRASHED: "red"}
    for p in status.processes:
        table.add_row(
            p.component,
            Text(p.state.value, style=colours[p.state]),
            str(p.pid) if p.pid else "-",
            ", ".join(str(port) for _, port in p.ports),
            _mib(p.rss_bytes),
            _since(p.started_at),
        )
    out.print(table)
    known = [p.rss_bytes for p in status.processes if p.rss_bytes is not None]
    if known:
        out.print(f"memory (RSS), all processes: {_mib(sum(known))}")
    out.print(f"logs: {status.processes[0].log_file.parent} (kgov sandbox logs)", markup=False)
    for p in status.processes:
        if p.state is ProcState.CRASHED:
            out.print(
                f"[red]{p.component} crashed:[/] {escape(str(p.reason))}. "
                f"Last lines of {escape(str(p.log_file))}:",
                markup=True,
            )
            for line in p.log_tail:
                out.print(f"  {line}", markup=False)
    return EXIT_ERROR if crashed else EXIT_OK


def _chosen_logs(sandbox: Sandbox, component: str | None) -> list[str]:
    """A process name; "kafka" is every Kafka process of a multi-broker sandbox; none: all."""
    names = list(sandbox.processes())
    if component is None:
        return names
    settings = sandbox.saved_settings()
    if component == Component.KAFKA and settings is not None and settings.brokers > 1:
        return list(kafka_process_names(settings))
    if component not in names:
        raise SandboxError(f"no process {component!r} in this sandbox", hint=f"one of: {', '.join(names)}")
    return [component]


def do_logs(state_dir: Path, component: str | None, lines: int) -> int:
    sandbox = Sandbox(state_dir)
    chosen = _chosen_logs(sandbox, component)
    for c in chosen:
        log = sandbox.paths.log_file(c)
        if len(chosen) > 1:
            out.print(f"==> {log} <==", markup=False)
        if not log.exists():
            err.print(f"no log yet at {log}", markup=False)
            continue
        for line in sandbox.logs(c, lines):
            out.print(line, markup=False, highlight=False)
    return EXIT_OK


def do_down(state_dir: Path, purge: bool, timeout: float) -> int:
    sandbox = Sandbox(state_dir)
    with err.status("Stopping the sandbox"):
        result = sandbox.down(purge=purge, timeout=timeout)
    _print_down(sandbox, result)
    return EXIT_OK


def _print_down(sandbox: Sandbox, result: DownResult) -> None:
    if not result.stopped and result.purged is None:
        out.print(f"No sandbox in {sandbox.paths.root}; nothing to stop.")
    for r in result.stopped:
        if r.outcome in ("stopped", "killed"):
            how = "stopped" if r.outcome == "stopped" else "killed (did not stop on SIGTERM in time)"
            out.print(f"{r.component}: {how} (pid {r.pid})")
        elif r.outcome == "crashed":
            out.print(f"{r.component}: was not running ({r.detail}); removed its stale pid file")
            for line in r.log_tail:
                out.print(f"  {line}", markup=False)
        else:
            out.print(f"{r.component}: not running")
    if result.purged is not None:
        out.print(f"Removed {result.purged} (data, certificates, logs, admin password).")


def do_cert(state_dir: Path, service: str, out_dir: Path | None) -> int:
    """Issue a client certificate CN=<service> signed by the sandbox CA; print how to use it."""
    sandbox = Sandbox(state_dir)
    cert, key = sandbox.issue_client_cert(service, out_dir)
    settings = sandbox.saved_settings()
    mtls = bootstrap(settings, "mtls") if settings else "$KGOV_BOOTSTRAP_MTLS"
    out.print(f"Issued a client certificate for User:{service} (subject CN={service},OU=kgov-sandbox).")
    out.print(f"  certificate  {cert}", markup=False)
    out.print(f"  key          {key}  (mode 0600)", markup=False)
    out.print(f"  CA           {sandbox.paths.ca_file}", markup=False)
    out.print("librdkafka / confluent-kafka settings for the mTLS listener:", markup=False)
    out.print(f"  bootstrap.servers={mtls}", markup=False)
    out.print("  security.protocol=SSL", markup=False)
    out.print(f"  ssl.ca.location={sandbox.paths.ca_file}", markup=False)
    out.print(f"  ssl.certificate.location={cert}", markup=False)
    out.print(f"  ssl.key.location={key}", markup=False)
    return EXIT_OK
