"""The steps of `up` that prepare and wait: configs and storage of every Kafka node, readiness.

Kept apart from kgov/sandbox/api.py, which decides what to start and owns the state lock.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from kgov.errors import SandboxError
from kgov.sandbox import kafka, oauth, registry
from kgov.sandbox.credentials import write_private
from kgov.sandbox.nodes import kafka_nodes
from kgov.sandbox.paths import Component, StatePaths
from kgov.sandbox.process import is_alive, tail
from kgov.sandbox.render import render_log4j2, render_server_properties
from kgov.sandbox.results import Progress
from kgov.sandbox.retry import PAUSE, Deadline
from kgov.sandbox.retry import timed_out as gave_up
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
                jwks_url=paths.jwks_file.as_uri(),
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


@dataclass
class _KafkaWait:
    """Where the Kafka side of the wait is: cluster answering, admin's credentials written, login."""

    cluster_id: str = ""
    credentials_written: bool = False
    last_error: str = "no answer yet"
    oauth_secret: str = ""  # the OAuth client secret: the admin's token login is checked too


def _kafka_step(
    state: _KafkaWait, settings: Settings, password: str, deadline: Deadline, report: Progress
) -> bool:
    """One round of the Kafka side; True once the admin logs in with both SCRAM mechanisms."""
    if not state.cluster_id:
        probe = kafka.probe(settings, deadline.attempt(3.0))
        if probe.cluster_id is None:
            state.last_error = probe.problem
            return False
        state.cluster_id = probe.cluster_id
        report.detail(
            f"Kafka answers with {settings.brokers} broker(s) (cluster {state.cluster_id}); "
            "writing the admin's SCRAM users"
        )
    if not state.credentials_written:
        try:
            kafka.upsert_admin_credentials(settings, password, deadline.attempt(10.0))
        except Exception as exc:
            if not kafka.is_transient(exc):
                raise SandboxError(
                    f"could not write the admin's SCRAM credentials: {kafka.explain(exc)}"
                ) from exc
            state.last_error = f"writing the admin's SCRAM credentials: {kafka.explain(exc)}"
            return False
        state.credentials_written = True
    problem = kafka.scram_login_problem(settings, password, deadline.attempt(3.0))
    if problem is not None:
        state.last_error = problem
        return False
    if state.oauth_secret:
        problem = oauth.login_problem(settings, state.oauth_secret, deadline.attempt(3.0))
        if problem is not None:
            state.last_error = problem
            return False
    report.detail("the admin logs in with SCRAM-SHA-256 and SCRAM-SHA-512, and with an OAuth token")
    return True


def wait_ready(
    paths: StatePaths,
    started: list[Started],
    settings: Settings,
    password: str,
    deadline: Deadline,
    report: Progress,
    step: str,
) -> str:
    """Wait until what was started serves real requests: every broker registered, the admin's SCRAM
    users written and the admin logged in with both; the registry's ccompat API. Connection-level
    failures are "not yet" until the deadline; then the error names the step, the process and its
    last error. A process that exits is an error at once. Returns the cluster id."""
    kafka_started = [s for s in started if s.process not in (Component.REGISTRY, Component.ISSUER)]
    secret_file = paths.oauth_secret_file
    kafka_wait = _KafkaWait(
        oauth_secret=secret_file.read_text("utf-8").strip() if secret_file.is_file() else ""
    )
    registry_error = issuer_error = "no answer yet"
    while True:
        for s in started:
            if not s.ready and not is_alive(s.pid):
                raise died(paths, s.process, s.pid)
        kafka_pending = [s for s in kafka_started if not s.ready]
        if kafka_pending and _kafka_step(kafka_wait, settings, password, deadline, report):
            for s in kafka_pending:
                s.ready = True
        for s in started:
            if s.process == Component.REGISTRY and not s.ready:
                problem = registry.probe(settings, deadline.attempt(3.0))
                if problem is None:
                    s.ready = True
                    report.detail("the registry answers")
                else:
                    registry_error = problem
            if s.process == Component.ISSUER and not s.ready:
                issuer_problem = oauth.probe(settings, deadline.attempt(3.0))
                if issuer_problem is None:
                    s.ready = True
                    report.detail("the OAuth token issuer answers")
                else:
                    issuer_error = issuer_problem
        if all(s.ready for s in started):
            break
        if deadline.passed():
            late = next(s.process for s in started if not s.ready)
            errors: dict[str, str] = {Component.REGISTRY: registry_error, Component.ISSUER: issuer_error}
            last = errors.get(late, kafka_wait.last_error)
            raise timed_out(paths, step, deadline, late, last)
        time.sleep(PAUSE)
    return kafka_wait.cluster_id or kafka.probe_ready(settings) or "?"


def died(paths: StatePaths, process: str, pid: int) -> SandboxError:
    log = paths.log_file(process)
    lines = "\n".join(tail(log, LOG_TAIL))
    return SandboxError(
        f"{process} (pid {pid}) exited during start-up. Last lines of {log}:\n{lines}",
        hint=f"see the whole log with `kgov sandbox logs {process}`",
    )


def timed_out(paths: StatePaths, step: str, deadline: Deadline, process: str, last: str) -> SandboxError:
    log = paths.log_file(process)
    lines = tail(log, LOG_TAIL)
    more = f"\nLast lines of {log}:\n" + "\n".join(lines) if lines else f"\n(nothing in {log} yet)"
    return gave_up(step, deadline, f"{process} did not answer: {last}", more)
