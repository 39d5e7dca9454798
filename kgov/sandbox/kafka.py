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
from pathlib import Path

from kgov.errors import SandboxError
from kgov.sandbox.credentials import ADMIN_USER
from kgov.sandbox.paths import Component, StatePaths
from kgov.sandbox.ports import is_listening
from kgov.sandbox.process import marks
from kgov.sandbox.settings import HOST, Settings

SCRAM_ITERATIONS = 4096
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


def jvm_flags(heap: str) -> list[str]:
    """Small and quick to start: one-tier JIT, serial GC, a capped heap; die rather than limp on OOM."""
    return [
        f"-Xmx{heap}",
        "-Xms64m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
    ]


def format_storage(java: Path, lib: Path, paths: StatePaths, password: str) -> str:
    """Format the KRaft log dir (standalone controller quorum, admin SCRAM users); return the cluster id."""
    cluster_id = new_cluster_id()
    cmd = [
        str(java), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        f"-Dlog4j2.configurationFile={paths.kafka_log4j}",
        "-cp", f"{lib}{os.sep}*", "kafka.tools.StorageTool", "format",
        "-c", str(paths.kafka_config), "-t", cluster_id, "--standalone",
    ]  # fmt: skip
    for mechanism in _SCRAM_HASHES:
        cmd += [
            "--add-scram",
            scram_argument(mechanism, ADMIN_USER, password, os.urandom(24), SCRAM_ITERATIONS),
        ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        lines = [
            ln for ln in (proc.stdout + proc.stderr).splitlines() if "UserScramCredentialRecord" not in ln
        ]
        raise SandboxError(
            f"formatting the Kafka storage in {paths.data_dir} failed (exit {proc.returncode}):\n"
            + "\n".join(lines[-20:]),
            hint="`kgov sandbox down --purge` removes the sandbox's data so the next `up` starts fresh",
        )
    return cluster_id


def broker_command(java: Path, lib: Path, paths: StatePaths, settings: Settings) -> list[str]:
    return [
        str(java),
        *jvm_flags(settings.kafka_heap),
        f"-Dlog4j2.configurationFile={paths.kafka_log4j}",
        *marks(paths.root, Component.KAFKA.value),
        "-cp",
        f"{lib}{os.sep}*",
        "kafka.Kafka",
        str(paths.kafka_config),
    ]


def plaintext_config(settings: Settings) -> dict[str, str | int | float | bool]:
    """librdkafka settings over PLAINTEXT (User:ANONYMOUS, a super user)."""
    return {
        "bootstrap.servers": f"{HOST}:{settings.ports.plaintext}",
        "log_level": 0,  # the readiness loop expects refused connections; keep librdkafka quiet
    }


def admin_config(
    settings: Settings, password: str, mechanism: str = "SCRAM-SHA-512"
) -> dict[str, str | int | float | bool]:
    """librdkafka settings for the admin over SASL_PLAINTEXT with SCRAM."""
    return {
        "bootstrap.servers": f"{HOST}:{settings.ports.sasl}",
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": mechanism,
        "sasl.username": ADMIN_USER,
        "sasl.password": password,
        "log_level": 0,
    }


def _cluster_id(config: dict[str, str | int | float | bool], timeout: float) -> str | None:
    from confluent_kafka.admin import AdminClient

    client = AdminClient(config)
    try:
        description = client.describe_cluster(request_timeout=timeout).result(timeout=timeout + 1)
    except Exception:  # not ready yet: any client error means "ask again"
        return None
    cluster_id = description.cluster_id
    return str(cluster_id) if cluster_id else None


def probe_ready(settings: Settings, timeout: float = 3.0) -> str | None:
    """The cluster id when the broker answers describe_cluster() on PLAINTEXT, else None."""
    if not is_listening(settings.ports.plaintext):
        return None
    return _cluster_id(plaintext_config(settings), timeout)


def scram_login_works(settings: Settings, password: str, timeout: float = 3.0) -> bool:
    """True when the admin can log in with both SCRAM mechanisms on the SASL_PLAINTEXT listener."""
    return all(_cluster_id(admin_config(settings, password, m), timeout) for m in _SCRAM_HASHES)


def upsert_admin_credentials(settings: Settings, password: str, timeout: float = 10.0) -> None:
    """(Re)write the admin's SCRAM-SHA-256/512 credentials over PLAINTEXT.

    The format-time credentials are enough on a fresh cluster, but with Kafka 4.1.2-4.4.0 we saw the
    admin's SCRAM-SHA-512 credential gone after a restart once another user's (only) SCRAM-SHA-512
    credential had been created and deleted. Writing them on every start keeps the sandbox's admin
    usable whatever the tests did.
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
    try:
        for upsert in upserts:  # one request each: a user may be altered only once per request
            futures = client.alter_user_scram_credentials([upsert], request_timeout=timeout)
            futures[ADMIN_USER].result(timeout=timeout + 1)
    except Exception as exc:
        raise SandboxError(f"could not write the admin's SCRAM credentials: {exc}") from exc
