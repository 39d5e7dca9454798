"""The Kafka side of the sandbox: storage format with SCRAM users, the broker command line, readiness.

The admin's SCRAM credentials are bootstrapped as salted passwords (PBKDF2 computed here), so the
plain password never appears on a command line.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgov.errors import SandboxError
from kgov.sandbox.credentials import ADMIN_USER
from kgov.sandbox.nodes import KafkaNode, bootstrap, brokers, kafka_nodes
from kgov.sandbox.paths import StatePaths
from kgov.sandbox.ports import is_listening
from kgov.sandbox.process import marks
from kgov.sandbox.retry import connection_failure, describe
from kgov.sandbox.settings import HOST, Settings, broker_port

SCRAM_ITERATIONS = 4096
ALLOWED_URLS_PROPERTY = "org.apache.kafka.sasl.oauthbearer.allowed.urls"
_SCRAM_HASHES = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}


def new_cluster_id() -> str:
    """A Kafka Uuid as text: URL-safe base64 of 16 random bytes, no padding, not starting with '-'."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):
            return text


def scram_argument(mechanism: str, user: str, password: str, salt: bytes, iterations: int) -> str:
    """An `--add-scram` value carrying the salted password (RFC 5802 Hi()) instead of the password."""
    salted = hashlib.pbkdf2_hmac(_SCRAM_HASHES[mechanism], password.encode("utf-8"), salt, iterations)
    return (
        f"{mechanism}=[name={user},iterations={iterations},"
        f'salt="{base64.b64encode(salt).decode()}",saltedpassword="{base64.b64encode(salted).decode()}"]'
    )


def jvm_flags(heap: str, jit: str = "quick") -> list[str]:
    """Small and quick to start: one-tier JIT, serial GC, a capped heap; die rather than limp on OOM.
    With jit="full" the JVM compiles hot code fully, as a production broker does: it starts slower,
    and answers large requests (DescribeConfigs of thousands of topics) several times faster."""
    return [
        f"-Xmx{heap}",
        "-Xms64m",
        "-XX:+UseSerialGC",
        *(["-XX:TieredStopAtLevel=1"] if jit == "quick" else []),
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
    ]


def read_cluster_id(meta_properties: Path) -> str | None:
    """The cluster.id a formatted log dir belongs to (None when it is not formatted)."""
    try:
        text = meta_properties.read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "cluster.id" and value.strip():
            return value.strip()
    return None


def format_command(
    java: Path, lib: Path, paths: StatePaths, node: KafkaNode, cluster_id: str, password: str
) -> list[str]:
    """StorageTool for one node. A controller starts the (standalone, dynamic) quorum and carries the
    admin's SCRAM credentials in its bootstrap metadata; a broker only needs the cluster id."""
    cmd = [
        str(java), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        f"-Dlog4j2.configurationFile={paths.kafka_log4j}",
        "-cp", f"{lib}{os.sep}*", "kafka.tools.StorageTool", "format",
        "-c", str(paths.node_config(node.name)), "-t", cluster_id,
    ]  # fmt: skip
    if node.is_controller:
        cmd.append("--standalone")
        for mechanism in _SCRAM_HASHES:
            cmd += [
                "--add-scram",
                scram_argument(mechanism, ADMIN_USER, password, os.urandom(24), SCRAM_ITERATIONS),
            ]
    return cmd


def format_storage(
    java: Path, lib: Path, paths: StatePaths, nodes: Sequence[KafkaNode], cluster_id: str, password: str
) -> None:
    """Format the log dirs of `nodes` with one cluster id, all at once (a JVM start each)."""
    running = [
        (
            node,
            subprocess.Popen(
                format_command(java, lib, paths, node, cluster_id, password),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ),
        )
        for node in nodes
    ]
    failures: list[str] = []
    for node, proc in running:
        output, _ = proc.communicate()
        if proc.returncode != 0:
            lines = [ln for ln in output.splitlines() if "UserScramCredentialRecord" not in ln]
            failures.append(
                f"formatting the Kafka storage in {paths.node_data_dir(node.name)} failed "
                f"(exit {proc.returncode}):\n" + "\n".join(lines[-20:])
            )
    if failures:
        raise SandboxError(
            "\n".join(failures),
            hint="`kgov sandbox down --purge` removes the sandbox's data so the next `up` starts fresh",
        )


def broker_command(
    java: Path, lib: Path, paths: StatePaths, settings: Settings, node: KafkaNode | None = None
) -> list[str]:
    """The command line of one Kafka node (default: the one-broker sandbox's combined node)."""
    node = node or kafka_nodes(settings)[0]
    heap = settings.kafka_heap if node.is_broker else settings.controller_heap
    return [
        str(java),
        *jvm_flags(heap, settings.kafka_jit),
        f"-Dlog4j2.configurationFile={paths.kafka_log4j}",
        # Kafka 4 reads no OAuth URL it is not allowed to: the OAUTH listener's JWKS file
        f"-D{ALLOWED_URLS_PROPERTY}={paths.jwks_file.as_uri()}",
        *marks(paths.root, node.name),
        "-cp",
        f"{lib}{os.sep}*",
        "kafka.Kafka",
        str(paths.node_config(node.name)),
    ]


def plaintext_config(settings: Settings) -> dict[str, str | int | float | bool]:
    """librdkafka settings over PLAINTEXT (User:ANONYMOUS, a super user), every broker as bootstrap."""
    return {
        "bootstrap.servers": bootstrap(settings, "plaintext"),
        "log_level": 0,  # the readiness loop expects refused connections; keep librdkafka quiet
    }


def admin_config(
    settings: Settings, password: str, mechanism: str = "SCRAM-SHA-512"
) -> dict[str, str | int | float | bool]:
    """librdkafka settings for the admin over SASL_PLAINTEXT with SCRAM."""
    return {
        "bootstrap.servers": bootstrap(settings, "sasl"),
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": mechanism,
        "sasl.username": ADMIN_USER,
        "sasl.password": password,
        "log_level": 0,
    }


def describe_cluster(config: dict[str, str | int | float | bool], timeout: float) -> tuple[str, int]:
    """(cluster id, number of live brokers); raises the client's error when the cluster does not answer."""
    from confluent_kafka.admin import AdminClient

    client = AdminClient(config)
    description = client.describe_cluster(request_timeout=timeout).result(timeout=timeout + 1)
    cluster_id = description.cluster_id
    if not cluster_id:
        raise SandboxError("the cluster answers without a cluster id yet")
    return str(cluster_id), len(description.nodes)


@dataclass(frozen=True)
class Probe:
    cluster_id: str | None  # set once the cluster answers as a whole
    problem: str = ""  # else why not, one line


def probe(settings: Settings, timeout: float = 3.0) -> Probe:
    """The cluster id once every broker answers on its own PLAINTEXT listener and the cluster counts all
    of them, else why not. Each broker is asked by itself: a broker opens request processing only once
    the controller has unfenced it, while a broker killed a moment ago may still be counted as live."""
    cluster_id: str | None = None
    for broker in brokers(settings):
        port = broker_port(settings.ports, "plaintext", broker.index)
        if not is_listening(port):
            return Probe(None, f"nothing listens on {HOST}:{port} yet")
        try:
            cluster_id, live = describe_cluster(
                {**plaintext_config(settings), "bootstrap.servers": f"{HOST}:{port}"}, timeout
            )
        except Exception as exc:  # not ready yet: any client error means "ask again"
            return Probe(None, f"describe cluster at {HOST}:{port}: {explain(exc)}")
        if live < settings.brokers:
            return Probe(None, f"the cluster counts {live} of {settings.brokers} brokers")
    return Probe(cluster_id)


def probe_ready(settings: Settings, timeout: float = 3.0) -> str | None:
    """The cluster id once every broker answers (see probe), else None."""
    return probe(settings, timeout).cluster_id


def scram_login_problem(settings: Settings, password: str, timeout: float = 3.0) -> str | None:
    """None when the admin can log in with both SCRAM mechanisms on the SASL_PLAINTEXT listener."""
    for mechanism in _SCRAM_HASHES:
        try:
            describe_cluster(admin_config(settings, password, mechanism), timeout)
        except Exception as exc:  # credentials not there yet, or the listener not yet serving
            return f"the admin's {mechanism} login: {explain(exc)}"
    return None


def scram_login_works(settings: Settings, password: str, timeout: float = 3.0) -> bool:
    """True when the admin can log in with both SCRAM mechanisms on the SASL_PLAINTEXT listener."""
    return scram_login_problem(settings, password, timeout) is None


# Errors of a cluster that is starting, electing or busy: "not yet", ask again (as librdkafka retries them).
_TRANSIENT_CODES = frozenset({
    "_TRANSPORT", "_TIMED_OUT", "_TIMED_OUT_QUEUE", "_MSG_TIMED_OUT", "_ALL_BROKERS_DOWN", "_WAIT_COORD",
    "REQUEST_TIMED_OUT", "NETWORK_EXCEPTION", "NOT_CONTROLLER", "UNKNOWN_CONTROLLER_ID",
    "BROKER_NOT_AVAILABLE", "LEADER_NOT_AVAILABLE", "COORDINATOR_NOT_AVAILABLE",
    "COORDINATOR_LOAD_IN_PROGRESS", "THROTTLING_QUOTA_EXCEEDED",
})  # fmt: skip


def _kafka_error(exc: BaseException) -> Any:
    """The KafkaError a client exception carries (KafkaException(KafkaError)), else None."""
    from confluent_kafka import KafkaError, KafkaException

    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        return exc.args[0]
    return None


def is_transient(exc: BaseException) -> bool:
    """True for a failure of a cluster that is not (yet) serving: retry it until the deadline."""
    error = _kafka_error(exc)
    if error is not None:
        return bool(error.retriable()) or str(error.name()) in _TRANSIENT_CODES
    return connection_failure(exc)  # TimeoutError covers a future's result(timeout=...)


def explain(exc: BaseException) -> str:
    """A client error as one line: "_TRANSPORT: Local: Broker transport failure"."""
    error = _kafka_error(exc)
    if error is not None:
        return f"{error.name()}: {error.str()}"
    return describe(exc)


def upsert_admin_credentials(settings: Settings, password: str, timeout: float = 10.0) -> None:
    """(Re)write the admin's SCRAM-SHA-256/512 credentials over PLAINTEXT.

    The format-time credentials are enough on a fresh cluster, but with Kafka 4.1.2-4.4.0 we saw the
    admin's SCRAM-SHA-512 credential gone after a restart once another user's (only) SCRAM-SHA-512
    credential had been created and deleted. Writing them on every start keeps the sandbox's admin
    usable whatever the tests did. Raises the client's error: is_transient() tells "not yet" apart.
    """
    from confluent_kafka.admin import (
        AdminClient,
        ScramCredentialInfo,
        ScramMechanism,
        UserScramCredentialAlteration,
        UserScramCredentialUpsertion,
    )

    client = AdminClient(plaintext_config(settings))
    upserts: list[UserScramCredentialAlteration] = [
        UserScramCredentialUpsertion(
            ADMIN_USER, ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), password.encode("utf-8")
        )
        for mechanism in (ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)
    ]
    for upsert in upserts:  # one request each: a user may be altered only once per request
        futures = client.alter_user_scram_credentials([upsert], request_timeout=timeout)
        futures[ADMIN_USER].result(timeout=timeout + 1)
