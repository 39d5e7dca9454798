"""The quota kind against the real one-broker sandbox, checked with tools kgov did not write: a
service's `producer_byte_rate: 100KiB/s` applied by kgov is what Kafka's own ConfigCommand
(`kafka.admin.ConfigCommand --describe --entity-type users`, the class behind kafka-configs.sh, from
the sandbox's Kafka jars) shows; a real producer logged in as that service (SCRAM), sending as fast
as it can for 10 s, gets at most 1.3x the quota; a quota changed by ConfigCommand --alter is planned
back; removing the quota from the catalog (apply --allow-delete) restores the producer's speed.

The service, its topic, its SCRAM user, its ACLs and its quota carry a unique name and are removed
at the end."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import (
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
)

from kgov.sandbox import fetch, java
from kgov.sandbox.api import Sandbox
from tests.integration import clients as c
from tests.integration.conftest import sandbox_state_dir
from tests.support import kgov, topic_doc, unique_service, write_catalog

QUOTA = 100 * 1024  # 100KiB/s, as the catalog writes it
RUN_S = 10.0
RECORD = 1000  # bytes of each record's value
CONFIG_COMMAND = "kafka.admin.ConfigCommand"


def _config_command(*args: str) -> str:
    box = Sandbox(sandbox_state_dir())
    lib = fetch.kafka_classpath(box.cache, box.settings().kafka_version, lambda _: None)
    command = [str(java.kafka_java().path), "-cp", f"{lib}/*", CONFIG_COMMAND,
               "--bootstrap-server", os.environ["KGOV_BOOTSTRAP_PLAINTEXT"], *args]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _described(user: str) -> str:
    return _config_command("--describe", "--entity-type", "users", "--entity-name", user)


def _eventually(check: object, what: str, timeout_s: float = 20.0) -> None:
    """The broker answering learns a quota from the controller's log a moment after apply."""
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _throughput(svc: str, password: str, seconds: float) -> float:
    """Bytes/s of record values Kafka acknowledged to a producer logged in as `svc`, sending as fast
    as it can for `seconds` (only what was acknowledged within the run counts)."""
    # batches of the Java client's default size (librdkafka's are up to 1 MB: a first request of
    # 1 MB is accepted whole before Kafka throttles, and one such burst dominates a 10 s run)
    conf = {**c.scram(svc, password), "linger.ms": 5, "acks": "all", "batch.size": 16384}
    producer = Producer(conf)
    acked: list[float] = []
    errors: list[str] = []

    def done(err: KafkaError | None, _msg: object) -> None:
        (errors.append(err.name()) if err else acked.append(time.monotonic()))

    payload = b"x" * RECORD
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        try:
            producer.produce(f"{svc}.loaded", payload, callback=done)
        except BufferError:
            producer.poll(0.05)
        producer.poll(0)
    producer.poll(0)
    in_time = sum(1 for t in acked if t <= end)
    producer.flush(30)
    assert not errors, errors[:3]
    return in_time * RECORD / seconds


def _kgov_ok(*args: str) -> str:
    result = kgov(*args)
    assert result.code in (0, 2), result.output
    return result.output


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, Path]]:
    svc = unique_service()
    password = secrets.token_hex(12)
    monkeypatch.setenv("QUOTA_SVC_PASSWORD", password)
    root = write_catalog(tmp_path / "catalog", {svc: [topic_doc(f"{svc}.loaded", partitions=1)]})
    (root / "acls").mkdir()
    try:
        yield svc, password, root
    finally:
        from tests.integration.kgovtest import admin

        client = admin()
        client.delete_topics([f"{svc}.loaded"])
        client.delete_acls([AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, f"User:{svc}",
                                             None, AclOperation.ANY, AclPermissionType.ANY)])  # fmt: skip
        client.alter_user_scram_credentials([UserScramCredentialDeletion(svc, ScramMechanism.SCRAM_SHA_512)])
        if "producer_byte_rate" in _described(svc):
            _config_command("--alter", "--entity-type", "users", "--entity-name", svc,
                            "--delete-config", "producer_byte_rate")  # fmt: skip


def _acls(root: Path, svc: str, quota: bool) -> None:
    lines = [
        f"service: {svc}",
        f"principal: User:{svc}",
        "authentication:",
        "  scram: {mechanism: SCRAM-SHA-512, password: '${env:QUOTA_SVC_PASSWORD}'}",
        f"produces: [{svc}.loaded]",
    ]
    if quota:
        lines += ["quotas:", "  producer_byte_rate: 100KiB/s"]
    (root / "acls" / f"{svc}.yaml").write_text("\n".join(lines) + "\n")


def _plan_json(root: Path, *extra: str) -> dict[str, object]:
    out = _kgov_ok("plan", "--env", "local", "-c", str(root), "--format", "json", *extra)
    return json.loads(out)  # type: ignore[no-any-return]


def test_a_service_quota_limits_a_real_producer(service: tuple[str, str, Path]) -> None:
    svc, password, root = service
    _acls(root, svc, quota=True)
    plan = _plan_json(root)
    mine = [e for e in plan["resource_changes"] if e["kind"] == "quota"]  # type: ignore[index,union-attr]
    assert [(e["address"], e["action"]) for e in mine] == [(f"quota.user={svc}", "create")]
    _kgov_ok("apply", "--env", "local", "-c", str(root), "--auto-approve")

    # Kafka's own tool shows what kgov set
    _eventually(lambda: "producer_byte_rate=102400.0" in _described(svc), "ConfigCommand shows the quota")
    print(f"\nConfigCommand: {_described(svc).strip()}")
    assert kgov("plan", "--env", "local", "-c", str(root), "--detailed-exitcode").code == 0

    # a real producer as the service
    limited = _throughput(svc, password, RUN_S)
    print(f"producer under the 100 KiB/s quota: {limited / 1024:.1f} KiB/s ({limited / QUOTA:.2f}x)")
    assert limited <= 1.3 * QUOTA

    # drift made with Kafka's tool is planned back
    _config_command("--alter", "--entity-type", "users", "--entity-name", svc,
                    "--add-config", "producer_byte_rate=5000")  # fmt: skip
    _eventually(lambda: "producer_byte_rate=5000.0" in _described(svc), "ConfigCommand's change shows")
    drift = _plan_json(root)
    [entry] = [e for e in drift["resource_changes"] if e["kind"] == "quota"]  # type: ignore[index,union-attr]
    assert entry["action"] == "update"
    assert [(ch["field"], ch["before"], ch["after"]) for ch in entry["changes"]] == [
        ("producer_byte_rate", 5000, 102400)
    ]
    _kgov_ok("apply", "--env", "local", "-c", str(root), "--auto-approve")
    _eventually(lambda: "producer_byte_rate=102400.0" in _described(svc), "the quota is back")

    # removing the quota from the catalog removes it from the cluster (a delete: --allow-delete)
    _acls(root, svc, quota=False)
    removal = _plan_json(root, "--allow-delete")
    assert [(e["address"], e["action"]) for e in removal["resource_changes"] if e["kind"] == "quota"] == [  # type: ignore[index,union-attr]
        (f"quota.user={svc}", "delete")
    ]
    _kgov_ok("apply", "--env", "local", "-c", str(root), "--auto-approve", "--allow-delete")
    _eventually(lambda: "producer_byte_rate" not in _described(svc), "the quota is gone")
    time.sleep(2)  # the broker's last throttle time, sent with its last answer, runs out
    free = _throughput(svc, password, 5.0)
    print(f"producer without a quota: {free / 1024:.1f} KiB/s ({free / QUOTA:.1f}x the old quota)")
    assert free > 3 * QUOTA
