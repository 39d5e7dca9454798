"""The steps of `up` that prepare and wait: configs and storage of every Kafka node, readiness.

Kept apart from kgov/sandbox/api.py, which decides what to start and owns the state lock.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from kgov.errors import SandboxError
from kgov.sandbox import kafka, registry
from kgov.sandbox.credentials import write_private
from kgov.sandbox.nodes import kafka_nodes
from kgov.sandbox.paths import Component, StatePaths
from kgov.sandbox.process import is_alive, tail
from kgov.sandbox.render import render_log4j2, render_server_properties
from kgov.sandbox.results import Progress
from kgov.sandbox.settings import Settings, kafka_process_names
from kgov.sandbox.tls import TlsFiles

LOG_TAIL = 20


def check_layout(paths: StatePaths, saved: Settings | None, wanted: Settings) -> None:
    """Refuse to start on Kafka data made for another shape of cluster (broker count, controller port)."""
    if saved is None:
        return
    formatted = [n for n in kafka_process_names(saved) if paths.node_formatted_marker(n).is_file()]
    if not formatted:
        return
    if saved.brokers != wanted.brokers:
        raise SandboxError(
            f"the Kafka data in {paths.root} belongs to a sandbox of {saved.brokers} broker(s), "
            f"not {wanted.brokers}",
            hint="use another --state-dir for it, or start afresh with `kgov sandbox down --purge`",
        )
    if saved.ports.controller != wanted.ports.controller:
        raise SandboxError(
            f"the Kafka data in {paths.root} belongs to a controller on port {saved.ports.controller}",
            hint=f"keep --controller-port {saved.ports.controller}, "
            "or start afresh with `kgov sandbox down --purge`",
        )


def write_node_configs(paths: StatePaths, settings: Settings, tls: TlsFiles) -> None:
    for node in kafka_nodes(settings):
        write_private(
            paths.node_config(node.name),
            render_server_properties(
                settings,
                data_dir=paths.node_data_dir(node.name),
                keystore_file=tls.keystore_file,
                keystore_password=tls.keystore_password,
                ca_file=tls.ca_file,
                node=node,
            ),
        )
    paths.kafka_log4j.parent.mkdir(parents=True, exist_ok=True)
    paths.kafka_log4j.write_text(render_log4j2(), encoding="utf-8")


def format_missing(java: Path, lib: Path, paths: StatePaths, settings: Settings, password: str) -> bool:
    """Format the log dir of every node that has none yet (one cluster id); True if any was formatted."""
    nodes = kafka_nodes(settings)
    missing = [n for n in nodes if not paths.node_formatted_marker(n.name).is_file()]
    if not missing:
        return False
    found = (kafka.read_cluster_id(paths.node_formatted_marker(n.name)) for n in nodes if n not in missing)
    ids = {i for i in found if i is not None}
    if ids and any(n.is_controller for n in missing):
        raise SandboxError(
            f"the controller's data in {paths.root} is gone while brokers still have theirs",
            hint="start afresh with `kgov sandbox down --purge`",
        )
    cluster_id = ids.pop() if ids else kafka.new_cluster_id()
    for node in missing:
        shutil.rmtree(paths.node_data_dir(node.name), ignore_errors=True)
    kafka.format_storage(java, lib, paths, missing, cluster_id, password)
    return True


@dataclass
class Started:
    process: str
    pid: int
    ready: bool = False


def wait_ready(
    paths: StatePaths,
    started: list[Started],
    settings: Settings,
    password: str,
    deadline: float,
    report: Progress,
) -> str:
    """Wait until what was started answers: every broker registered and the admin logged in with
    SCRAM; the registry's health. Returns the cluster id. A process that exits is an error at once."""
    cluster_id = ""
    kafka_started = [s for s in started if s.process != Component.REGISTRY]
    while True:
        for s in started:
            if not s.ready and not is_alive(s.pid):
                raise died(paths, s.process, s.pid)
        if kafka_started and not all(s.ready for s in kafka_started):
            if not cluster_id:
                cluster_id = kafka.probe_ready(settings) or ""
                if cluster_id:
                    report.detail(
                        f"Kafka answers with {settings.brokers} broker(s) (cluster {cluster_id}); "
                        "writing the admin's SCRAM users"
                    )
                    kafka.upsert_admin_credentials(settings, password)
            if cluster_id and kafka.scram_login_works(settings, password):
                for s in kafka_started:
                    s.ready = True
                report.detail("the admin logs in with SCRAM-SHA-256 and SCRAM-SHA-512")
        for s in started:
            if s.process == Component.REGISTRY and not s.ready and registry.probe_ready(settings):
                s.ready = True
                report.detail("the registry answers")
        if all(s.ready for s in started):
            break
        if time.monotonic() >= deadline:
            raise timed_out(paths, next(s.process for s in started if not s.ready))
        time.sleep(0.25)
    return cluster_id or kafka.probe_ready(settings) or "?"


def died(paths: StatePaths, process: str, pid: int) -> SandboxError:
    log = paths.log_file(process)
    lines = "\n".join(tail(log, LOG_TAIL))
    return SandboxError(
        f"{process} (pid {pid}) exited during start-up. Last lines of {log}:\n{lines}",
        hint=f"see the whole log with `kgov sandbox logs {process}`",
    )


def timed_out(paths: StatePaths, process: str) -> SandboxError:
    log = paths.log_file(process)
    lines = "\n".join(tail(log, LOG_TAIL))
    return SandboxError(
        f"{process} did not answer in time. Last lines of {log}:\n{lines}",
        hint="a slow first start? retry with a longer --timeout; the processes were stopped",
    )
