"""The reassignment port (kafka-python) on the real three-broker sandbox (fixture `sandbox3`).

A topic of RF 1 holding records from a real producer goes to RF 3 through the port, slowed by a
replication throttle set with confluent-kafka's incremental_alter_configs (the throttle's writes stay
on the confluent-kafka adapter): the reassignment is seen in progress, completes once the throttle is
removed, and confluent-kafka's describe_topics then shows 3 replicas all in sync; describe_log_dirs
shows the bytes on the new brokers; a preferred leader election moves the leaders. Every security
protocol the sandbox offers connects with the same settings the confluent-kafka adapter uses.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer, TopicCollection
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ConfigSource,
    NewTopic,
    ResourceType,
)

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.client_settings import KafkaSettings, kafka_settings
from kgov.cluster.kafka.reassign_port import Broker
from kgov.sandbox import fetch, java

from .clients import QUIET
from .conftest import ThreeBrokers

PARTITIONS = 3
RECORDS = 10_000  # per partition, 200 bytes each: about 2 MB a partition
THROTTLE = "50000"  # bytes/s: slow enough that the reassignment is seen running
THROTTLE_KEYS = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")
TOPIC_THROTTLE_KEYS = ("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")
WAIT_S = 120.0
REASSIGN_TOOL = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand"


def _settings(env: dict[str, str], protocol: str) -> KafkaSettings:
    """kgov's own settings for one listener, as an environment's `kafka` block gives them."""
    blocks: dict[str, dict[str, Any]] = {
        "plaintext": {"bootstrap_servers": env["KGOV_BOOTSTRAP_PLAINTEXT"]},
        "scram-512": {
            "bootstrap_servers": env["KGOV_BOOTSTRAP_SASL"],
            "security_protocol": "SASL_PLAINTEXT",
            "username": env["KGOV_USERNAME"],
            "password": env["KGOV_PASSWORD"],
        },
        "scram-256": {
            "bootstrap_servers": env["KGOV_BOOTSTRAP_SASL"],
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-256",
            "username": env["KGOV_USERNAME"],
            "password": env["KGOV_PASSWORD"],
        },
        "sasl-ssl": {
            "bootstrap_servers": env["KGOV_BOOTSTRAP_SSL"],
            "security_protocol": "SASL_SSL",
            "username": env["KGOV_USERNAME"],
            "password": env["KGOV_PASSWORD"],
            "ssl_ca_location": env["KGOV_CA_FILE"],
        },
        "mtls": {
            "bootstrap_servers": env["KGOV_BOOTSTRAP_MTLS"],
            "security_protocol": "SSL",
            "ssl_ca_location": env["KGOV_CA_FILE"],
            "ssl_certificate_location": env["KGOV_CLIENT_CERT_FILE"],
            "ssl_key_location": env["KGOV_CLIENT_KEY_FILE"],
        },
    }
    block = {**blocks[protocol], "timeout_ms": 15_000}
    return kafka_settings(Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="sb", kafka=block))


def _admin(env: dict[str, str]) -> AdminClient:
    return AdminClient({"bootstrap.servers": env["KGOV_BOOTSTRAP_PLAINTEXT"]})


@pytest.mark.parametrize("protocol", ["plaintext", "scram-512", "scram-256", "sasl-ssl", "mtls"])
def test_every_security_protocol_connects(sandbox3: ThreeBrokers, protocol: str) -> None:
    port = KafkaReassign(_settings(sandbox3.env, protocol))
    try:
        assert [b.id for b in port.describe_brokers()] == [1, 2, 3]
        assert port.list_partition_reassignments([("no-such-topic", 0)]) == []
    finally:
        port.close()


@pytest.fixture
def topic(sandbox3: ThreeBrokers) -> Iterator[str]:
    """A topic of RF 1, partition i on broker i+1, each partition holding RECORDS records written by
    a real producer; deleted afterwards, with every throttle the test may have left."""
    name = f"reassign-{uuid.uuid4().hex[:10]}"
    admin = _admin(sandbox3.env)
    spec = NewTopic(name, PARTITIONS, replica_assignment=[[i + 1] for i in range(PARTITIONS)])
    admin.create_topics([spec])[name].result(timeout=30)
    conf = {"bootstrap.servers": sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"], "linger.ms": 20, "logger": QUIET}
    producer = Producer(conf)
    deadline = time.monotonic() + 30
    while True:  # acknowledged is not yet writable everywhere
        try:
            for i in range(RECORDS):
                for p in range(PARTITIONS):
                    producer.produce(name, value=b"%08d" % i + b"x" * 192, partition=p)
                    if i % 1000 == 0:
                        producer.poll(0)
            break
        except BufferError:
            assert time.monotonic() < deadline
            producer.flush(5)
    assert producer.flush(60) == 0
    yield name
    _throttle(admin, name, on=False)
    admin.delete_topics([name])[name].exception(timeout=60)


def _throttle(admin: AdminClient, topic: str, *, on: bool) -> None:
    """Replication throttle on every broker and the topic, with confluent-kafka (on), or removed."""
    op = AlterConfigOpType.SET if on else AlterConfigOpType.DELETE

    def entries(keys: tuple[str, ...], value: str) -> list[ConfigEntry]:
        return [ConfigEntry(k, value if on else None, incremental_operation=op) for k in keys]

    brokers = entries(THROTTLE_KEYS, THROTTLE)
    # librdkafka takes one BROKER resource per call (it goes to that broker): one call per broker,
    # sent together; the topics' side is one call for all of them.
    calls = [[ConfigResource(ResourceType.BROKER, str(b), incremental_configs=brokers)] for b in (1, 2, 3)]
    calls.append(
        [ConfigResource(ResourceType.TOPIC, topic, incremental_configs=entries(TOPIC_THROTTLE_KEYS, "*"))]
    )
    futures = [f for resources in calls for f in admin.incremental_alter_configs(resources).values()]
    for future in futures:
        future.result(timeout=30)


def _dynamic(admin: AdminClient, kind: ResourceType, name: str) -> dict[str, str]:
    (future,) = admin.describe_configs([ConfigResource(kind, name)]).values()
    wanted = (ConfigSource.DYNAMIC_BROKER_CONFIG.value, ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
    return {e.name: str(e.value) for e in future.result(timeout=30).values() if e.source in wanted}


def _partitions(admin: AdminClient, topic: str) -> dict[int, tuple[list[int], list[int], int]]:
    """partition -> (replicas, ISR, leader), from confluent-kafka's describe_topics."""
    (future,) = admin.describe_topics(TopicCollection([topic])).values()
    return {
        p.id: ([r.id for r in p.replicas], [r.id for r in p.isr], p.leader.id)
        for p in future.result(timeout=30).partitions
    }


def test_rf1_to_rf3_with_real_data(sandbox3: ThreeBrokers, topic: str) -> None:
    admin = _admin(sandbox3.env)
    port = KafkaReassign(_settings(sandbox3.env, "scram-512"))
    partitions = [(topic, p) for p in range(PARTITIONS)]
    # partition p on broker p+1 goes to 3 replicas led (preferred) by another broker: p+2
    targets = {(topic, p): [(p + 1) % 3 + 1, (p + 2) % 3 + 1, p + 1] for p in range(PARTITIONS)}
    try:
        before = port.describe_log_dirs(partitions)
        assert {k: set(v) for k, v in before.sizes.items()} == {
            (topic, p): {p + 1} for p in range(PARTITIONS)
        }
        size = min(before.total(k) for k in partitions)
        assert size > RECORDS * 200  # every partition holds its records

        _throttle(admin, topic, on=True)
        started = time.monotonic()
        assert port.alter_partition_reassignments(targets) == dict.fromkeys(partitions)
        submitted = time.monotonic() - started
        running = port.list_partition_reassignments(partitions)
        assert [(r.topic, r.partition) for r in running] == partitions
        for r in running:
            assert set(r.replicas) == {1, 2, 3} and r.removing == ()
            assert set(r.adding) == {1, 2, 3} - {r.partition + 1}
            assert r.target == tuple(targets[(r.topic, r.partition)])
        assert port.list_partition_reassignments() != []  # the whole cluster's view shows them too

        _throttle(admin, topic, on=False)
        deadline = time.monotonic() + WAIT_S
        polls = 0
        while port.list_partition_reassignments(partitions):
            polls += 1
            assert time.monotonic() < deadline, "the reassignment did not complete"
            time.sleep(0.5)
        copied = time.monotonic() - started

        # the broker confluent-kafka asks may learn of the last ISR change a moment later
        deadline = time.monotonic() + 30
        while any(sorted(isr) != [1, 2, 3] for _, isr, _ in _partitions(admin, topic).values()):
            assert time.monotonic() < deadline, f"ISR not full: {_partitions(admin, topic)}"
            time.sleep(0.2)
        for p, (replicas, _, _) in _partitions(admin, topic).items():
            assert replicas == targets[(topic, p)]
        after = port.describe_log_dirs(partitions)
        assert after.errors == {}
        for key in partitions:
            assert set(after.sizes[key]) == {1, 2, 3}
            assert min(after.sizes[key].values()) >= size  # the new replicas hold the whole log

        assert port.elect_leaders(partitions) == dict.fromkeys(partitions)
        deadline = time.monotonic() + 30
        while any(leader != replicas[0] for replicas, _, leader in _partitions(admin, topic).values()):
            assert time.monotonic() < deadline, "the preferred leaders were not elected"
            time.sleep(0.2)
        assert port.elect_leaders(partitions) == dict.fromkeys(partitions)  # not needed: a success

        for broker in ("1", "2", "3"):
            assert not set(_dynamic(admin, ResourceType.BROKER, broker)) & set(THROTTLE_KEYS)
        assert not set(_dynamic(admin, ResourceType.TOPIC, topic)) & set(TOPIC_THROTTLE_KEYS)
        # a fixed number of requests, whatever the number of partitions (list: one per poll)
        assert dict(port.requests) == {
            "describe_cluster": 2,
            "describe_log_dirs": 6,
            "alter_partition_reassignments": 1,
            "list_partition_reassignments": 3 + polls,
            "elect_leaders": 2,
        }
        print(f"\nreassign {PARTITIONS}x{size / 1e6:.1f} MB RF1->3: submit {submitted * 1000:.0f} ms, "
              f"complete {copied:.1f} s after submit ({polls} polls)")  # fmt: skip
    finally:
        port.close()


def test_cancel_and_per_partition_errors(sandbox3: ThreeBrokers, topic: str) -> None:
    admin = _admin(sandbox3.env)
    port = KafkaReassign(_settings(sandbox3.env, "sasl-ssl"))
    try:
        _throttle(admin, topic, on=True)
        out = port.alter_partition_reassignments(
            {(topic, 0): [1, 2, 3], (topic, 1): [2, 9], ("no-such-topic-" + topic, 0): [1]}
        )
        assert out[(topic, 0)] is None
        assert out[(topic, 1)] is not None  # broker 9 does not exist: that partition only fails
        assert out[("no-such-topic-" + topic, 0)] is not None
        assert [
            (r.topic, r.partition) for r in port.list_partition_reassignments([(topic, 0), (topic, 1)])
        ] == [(topic, 0)]
        assert port.alter_partition_reassignments({(topic, 0): None}) == {(topic, 0): None}  # cancel
        assert port.list_partition_reassignments([(topic, 0)]) == []
        deadline = time.monotonic() + 30
        while _partitions(admin, topic)[0][0] != [1]:  # back to where it was
            assert time.monotonic() < deadline, "the cancelled reassignment did not revert"
            time.sleep(0.2)
        again = port.alter_partition_reassignments({(topic, 0): None})
        assert again[(topic, 0)] is not None  # nothing in progress to cancel
    finally:
        port.close()


def test_describe_brokers_shows_the_sandboxs_racks(sandbox3: ThreeBrokers) -> None:
    """`kgov sandbox up --racks N` gives broker k the rack r{(k-1) % N}; without it, no rack."""
    racks = sandbox3.box.settings().racks
    port = KafkaReassign(_settings(sandbox3.env, "plaintext"))
    try:
        expected = [Broker(k, f"r{(k - 1) % racks}" if racks else None) for k in (1, 2, 3)]
        assert port.describe_brokers() == expected
    finally:
        port.close()


def test_a_reassignment_started_by_kafkas_own_tool_is_seen_in_progress(
    sandbox3: ThreeBrokers, topic: str, tmp_path: Path
) -> None:
    """Kafka's ReassignPartitionsCommand (kafka-tools, fetched with the sandbox's jars) runs against the
    sandbox; the reassignment it starts shows through the port; its --cancel takes it back and clears
    its throttles."""
    settings = sandbox3.box.settings()
    lib = fetch.kafka_classpath(sandbox3.box.cache, settings.kafka_version, lambda _: None)
    plan = {"version": 1, "partitions": [{"topic": topic, "partition": 0, "replicas": [1, 2, 3]}]}
    (tmp_path / "move.json").write_text(json.dumps(plan))

    def tool(*args: str) -> str:
        command = [str(java.kafka_java().path), "-cp", f"{lib}/*", REASSIGN_TOOL,
                   "--bootstrap-server", sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"], *args]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    tool("--reassignment-json-file", str(tmp_path / "move.json"), "--execute", "--throttle", "10000")
    port = KafkaReassign(_settings(sandbox3.env, "mtls"))
    try:
        (running,) = port.list_partition_reassignments([(topic, 0), (topic, 1)])
        assert (running.topic, running.partition, running.target) == (topic, 0, (1, 2, 3))
        assert f"{topic}-0" in tool("--list")
        tool("--reassignment-json-file", str(tmp_path / "move.json"), "--cancel")
        assert port.list_partition_reassignments([(topic, 0)]) == []
    finally:
        port.close()
    admin = _admin(sandbox3.env)
    for broker in ("1", "2", "3"):
        assert not set(_dynamic(admin, ResourceType.BROKER, broker)) & set(THROTTLE_KEYS)
