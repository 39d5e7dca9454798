"""The measured write rate on the three-broker sandbox (issue 22 part 2, docs/capacity.md): a topic of
3 partitions x RF 3 bounded by retention.ms only, written with a real producer (known bytes, record
timestamps an hour apart), then planned with a longer retention.ms. kgov's storage at retention is
checked against Kafka's own LogDirsCommand (kafka-log-dirs.sh from the sandbox's jars: a tool kgov did
not write) and the producer's own timestamps, and against the bytes the producer sent."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka import Producer

from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.replicas import KafkaReplicas
from kgov.commands.common import connect
from kgov.engine.make import make_plan
from kgov.sandbox import fetch, java
from tests.support import SETTINGS, topic_doc, write_catalog

from .conftest import ThreeBrokers
from .kgovtest import kgov, unique_service

DAY = 86_400_000
PARTITIONS = 3
RECORDS = 100  # per partition
VALUE = 10_240  # bytes of each record's value
STEP_MS = 36_000  # between two records' timestamps: 99 steps span 3,564,000 ms
LOG_DIRS = "org.apache.kafka.tools.LogDirsCommand"


def _catalog(root: Path, name: str, retention_ms: int) -> Path:
    doc = topic_doc(name, PARTITIONS, retention_ms=str(retention_ms))
    doc["replication_factor"] = 3
    policy = {**SETTINGS["policy"], "min_insync_replicas": {"min": 1}}
    return write_catalog(root, {name.split(".")[0]: [doc]}, policy=policy)


def _produce(bootstrap: str, name: str, first_ms: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": "none", "linger.ms": 5})
    for p in range(PARTITIONS):
        for i in range(RECORDS):
            producer.produce(name, b"x" * VALUE, partition=p, timestamp=first_ms + i * STEP_MS)
    assert producer.flush(30) == 0


def _log_dirs(sandbox3: ThreeBrokers, name: str) -> dict[int, int]:
    """Per partition, the largest replica's size as Kafka's kafka-log-dirs.sh reports it."""
    settings = sandbox3.box.settings()
    lib = fetch.kafka_classpath(sandbox3.box.cache, settings.kafka_version, lambda _: None)
    command = [str(java.kafka_java().path), "-cp", f"{lib}/*", LOG_DIRS, "--bootstrap-server",
               sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"], "--describe", "--topic-list", name]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
    sizes: dict[int, int] = {}
    for broker in doc["brokers"]:
        for log_dir in broker["logDirs"]:
            for part in log_dir["partitions"]:
                number = int(part["partition"].rpartition("-")[2])
                sizes[number] = max(sizes.get(number, 0), int(part["size"]))
    return sizes


def test_a_longer_retention_is_sized_from_the_measured_write_rate(
    tmp_path: Path, sandbox3: ThreeBrokers, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in sandbox3.env.items():
        monkeypatch.setenv(key, value)
    svc = unique_service()
    name = f"{svc}.clicked"
    cat = _catalog(tmp_path / "catalog", name, 7 * DAY)
    applied = kgov("apply", "--env", "local", "--catalog", str(cat), "--auto-approve")
    assert applied.code == 0, applied.output
    first_ms = int(time.time() * 1000) - 2 * 3_600_000
    _produce(sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"], name, first_ms)
    span = (RECORDS - 1) * STEP_MS

    _catalog(tmp_path / "catalog", name, 14 * DAY)
    for _ in range(20):  # the followers copy the last batches within moments
        sizes = _log_dirs(sandbox3, name)
        started = time.monotonic()
        plan = kgov("plan", "--env", "local", "--catalog", str(cat), "--format", "json")
        seconds = time.monotonic() - started
        if sizes == _log_dirs(sandbox3, name):
            break
    assert plan.code == 0, plan.output
    doc = json.loads(plan.stdout)
    capacity = doc["capacity"]
    assert capacity["unsized"] == [], capacity
    # kgov: sum over partitions of one replica's bytes x (14d - 7d) / span, x RF 3
    expected = sum(size * 14 * DAY // span * 3 - size * 7 * DAY // span * 3 for size in sizes.values())
    assert len(sizes) == PARTITIONS
    assert abs(capacity["bytes"] - expected) <= PARTITIONS * 3, (capacity, sizes)
    # and against what the producer sent: on disk a record batch adds its headers, a few percent
    sent = PARTITIONS * RECORDS * VALUE * 7 * DAY // span * 3
    assert sent <= capacity["bytes"] <= sent * 1.1
    (entry,) = [e for e in doc["resource_changes"] if e["name"] == name]
    assert any("storage at retention, measured: write rate" in n for n in entry["notes"]), entry
    assert seconds < 20  # a bound for a hang, not a timing


def _requests(root: Path) -> Counter[str]:
    """Every request the plan sent, by name, as both clients count them (confluent-kafka's and the
    kafka-python replica client's)."""
    catalog = load_catalog(root).catalog
    backends = connect(catalog, "local")
    try:
        plan = make_plan(catalog, "local", backends, allow_delete=False)
        assert plan.capacity is not None and plan.capacity["unsized"] == [], plan.capacity
        kafka, replicas = backends.kafka, backends.reassign
        assert isinstance(kafka, KafkaCluster) and isinstance(replicas, KafkaReplicas)
        return Counter(kafka.requests) + Counter(replicas.reassign.requests)
    finally:
        if isinstance(backends.reassign, KafkaReplicas):
            backends.reassign.close()


def test_the_measurement_reads_do_not_grow_with_the_topics(
    tmp_path: Path, sandbox3: ThreeBrokers, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in sandbox3.env.items():
        monkeypatch.setenv(key, value)
    svc = unique_service()
    names = [f"{svc}.t{i}" for i in range(8)]

    def catalog(root: Path, chosen: list[str], retention_ms: int) -> Path:
        docs = [topic_doc(n, PARTITIONS, retention_ms=str(retention_ms)) for n in chosen]
        for d in docs:
            d["replication_factor"] = 3
        return write_catalog(root, {svc: docs})

    applied = kgov("apply", "--env", "local", "--catalog", str(catalog(tmp_path / "all", names, 7 * DAY)),
                   "--auto-approve")  # fmt: skip
    assert applied.code == 0, applied.output
    first_ms = int(time.time() * 1000) - 2 * 3_600_000
    for n in names:
        _produce(sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"], n, first_ms)
    few = _requests(catalog(tmp_path / "few", names[:2], 14 * DAY))
    many = _requests(catalog(tmp_path / "many", names, 14 * DAY))
    print(f"\nplan of 2 measured topics: {dict(few)}\nplan of 8 measured topics: {dict(many)}")
    assert few == many
    assert many["describe_log_dirs"] == 3  # one per broker
