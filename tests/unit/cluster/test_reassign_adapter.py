"""The kafka-python reassignment adapter without a broker: the one mapping from kgov's connection
settings to KafkaAdminClient's options (each security protocol), kafka-python's answers read into the
port's data, its errors turned into ClusterErrors (bounded in time, secrets redacted)."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import kafka.errors as kafka_errors
import pytest
from kafka import KafkaAdminClient, TopicPartition

from kgov import secrets
from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter import reassign
from kgov.cluster.kafka.adapter.client_options import client_config
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.client_settings import KafkaSettings, kafka_settings
from kgov.cluster.kafka.reassign_port import Broker, Reassignment
from kgov.errors import ClusterError, ConfigError

REPO = Path(__file__).resolve().parents[3]


def _settings(**kafka: object) -> KafkaSettings:
    return kafka_settings(Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="prod", kafka=kafka))


@pytest.fixture(autouse=True)
def _forget_secrets() -> Any:
    yield
    secrets.forget()


def _pem(tmp_path: Path, name: str) -> str:
    (tmp_path / name).write_text("pem\n")
    return str(tmp_path / name)


def test_plaintext() -> None:
    conf = client_config(_settings(bootstrap_servers="b1:9092, b2:9092", timeout_ms=4000))
    assert conf == {
        "bootstrap_servers": ["b1:9092", "b2:9092"],
        "client_id": "kgov",
        "security_protocol": "PLAINTEXT",
        "request_timeout_ms": 4000,
        "bootstrap_timeout_ms": 4000,
    }


def test_sasl_plaintext_scram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PW", "s3cret-pw")
    conf = client_config(
        _settings(
            bootstrap_servers="b:9094",
            security_protocol="SASL_PLAINTEXT",
            username="svc",
            password="${env:PW}",
        )
    )
    assert conf["security_protocol"] == "SASL_PLAINTEXT"
    assert conf["sasl_mechanism"] == "SCRAM-SHA-512"  # kgov's default for SASL, as for confluent-kafka
    assert (conf["sasl_plain_username"], conf["sasl_plain_password"]) == ("svc", "s3cret-pw")
    assert not any(k.startswith("ssl_") for k in conf)


def test_sasl_ssl_scram_with_a_ca(tmp_path: Path) -> None:
    ca = _pem(tmp_path, "ca.pem")
    conf = client_config(
        _settings(
            bootstrap_servers="b:9095",
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-256",
            username="svc",
            password="pw",
            ssl_ca_location=ca,
        )
    )
    assert conf["security_protocol"] == "SASL_SSL"
    assert conf["sasl_mechanism"] == "SCRAM-SHA-256"
    assert conf["ssl_cafile"] == ca
    assert "ssl_check_hostname" not in conf and "ssl_context" not in conf  # verification stays on


def test_mtls_client_certificate(tmp_path: Path) -> None:
    ca, cert, key = (_pem(tmp_path, n) for n in ("ca.pem", "c.pem", "k.pem"))
    conf = client_config(
        _settings(
            bootstrap_servers="b:9096",
            security_protocol="SSL",
            ssl_ca_location=ca,
            ssl_certificate_location=cert,
            ssl_key_location=key,
            ssl_key_password="kp",
        )
    )
    assert conf["security_protocol"] == "SSL"
    assert (conf["ssl_cafile"], conf["ssl_certfile"], conf["ssl_keyfile"], conf["ssl_password"]) == (
        ca,
        cert,
        key,
        "kp",
    )
    assert not any(k.startswith("sasl_") for k in conf)


def test_ssl_verify_false_gives_an_unverifying_context() -> None:
    conf = client_config(_settings(bootstrap_servers="b:9095", security_protocol="SSL", ssl_verify=False))
    assert conf["ssl_check_hostname"] is False
    context = conf["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_NONE


def test_every_option_is_one_kafka_python_knows() -> None:
    conf = client_config(
        _settings(
            bootstrap_servers="b:1",
            security_protocol="SASL_SSL",
            username="u",
            password="p",
            ssl_verify=False,
        )
    )
    assert set(conf) <= set(KafkaAdminClient.DEFAULT_CONFIG)


def test_a_setting_it_cannot_carry_is_a_config_error() -> None:
    settings = KafkaSettings("b:1", 1.0, {"bootstrap.servers": "b:1", "sasl.oauthbearer.config": "x"})
    with pytest.raises(ConfigError, match=r"sasl\.oauthbearer\.config"):
        client_config(settings)


def test_the_contracts_forbid_kafka_python_outside_the_adapter() -> None:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    forbidding = [c for c in contracts if "confluent_kafka" in c.get("forbidden_modules", [])]
    assert len(forbidding) == 2
    assert all("kafka" in c["forbidden_modules"] for c in forbidding)


# -- answers and errors, through a fake kafka-python client --------------------------------------
class _Fake:
    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args))
            answer = self.answers[name]
            if isinstance(answer, BaseException):
                raise answer
            return answer(*args) if callable(answer) else answer

        return call


def _port(fake: _Fake, timeout_ms: int = 2000) -> KafkaReassign:
    return KafkaReassign(_settings(bootstrap_servers="b:1", timeout_ms=timeout_ms), factory=lambda **_: fake)


BROKERS = {"brokers": [{"broker_id": 2, "rack": "r1", "is_fenced": False}, {"broker_id": 1, "rack": None},
                       {"broker_id": 3, "rack": "r0", "is_fenced": True}]}  # fmt: skip


def test_brokers_and_reassignments_are_read_into_the_ports_data() -> None:
    listing = {
        TopicPartition("t", 1): {"replicas": [2, 3, 1], "adding_replicas": [3], "removing_replicas": [1]}
    }
    port = _port(_Fake(describe_cluster=BROKERS, list_partition_reassignments=listing))
    assert port.describe_brokers() == [Broker(1, None), Broker(2, "r1")]  # the fenced one left out
    found = port.list_partition_reassignments([("t", 1), ("t", 1)])
    assert found == [Reassignment("t", 1, (2, 3, 1), (3,), (1,))]
    assert found[0].target == (2, 3)
    assert dict(port.requests) == {"describe_cluster": 1, "list_partition_reassignments": 1}
    assert port.list_partition_reassignments([]) == []  # nothing asked: no request
    assert port.requests["list_partition_reassignments"] == 1


def test_alter_gives_every_partition_an_outcome_in_one_request() -> None:
    fake = _Fake(
        alter_partition_reassignments={
            TopicPartition("t", 0): None,
            TopicPartition("gone", 0): kafka_errors.UnknownTopicOrPartitionError,
        }
    )
    port = _port(fake)
    out = port.alter_partition_reassignments({("t", 0): [1, 2, 3], ("gone", 0): [1], ("t", 1): None})
    assert out[("t", 0)] is None
    assert out[("gone", 0)] is not None and out[("gone", 0)].startswith("UNKNOWN_TOPIC_OR_PARTITION: ")
    assert out[("t", 1)] is not None and out[("t", 1)].startswith("NO_ANSWER")  # not reported: not a success
    ((_, (request, _)),) = fake.calls
    assert request == {
        TopicPartition("gone", 0): [1],
        TopicPartition("t", 0): [1, 2, 3],
        TopicPartition("t", 1): None,
    }
    assert port.requests["alter_partition_reassignments"] == 1


def test_a_target_with_a_broker_twice_is_refused_before_sending() -> None:
    fake = _Fake()
    with pytest.raises(ValueError, match="distinct"):
        _port(fake).alter_partition_reassignments({("t", 0): [1, 1]})
    assert fake.calls == []


def test_log_dirs_one_request_per_broker_and_a_broker_that_fails_is_its_own_error() -> None:
    def dirs(topics: dict[str, list[int]], brokers: list[int]) -> Any:
        if brokers == [2]:
            raise kafka_errors.KafkaConnectionError("socket disconnected")
        part = {"partition_index": 0, "partition_size": 1234, "offset_lag": 5, "is_future_key": False}
        future = {**part, "partition_size": 99, "is_future_key": True}
        other = {"partition_index": 7, "partition_size": 1, "offset_lag": 0, "is_future_key": False}
        topic = {"name": "t", "partitions": [part, future, other]}
        return [{"broker": brokers[0], "log_dirs": [{"error_code": 0, "topics": [topic]}]}]

    port = _port(_Fake(describe_cluster=BROKERS, describe_log_dirs=dirs))
    sizes = port.describe_log_dirs([("t", 0)])
    assert sizes.sizes == {("t", 0): {1: 1234}}
    assert sizes.lag == {("t", 0): {1: 5}}
    assert set(sizes.errors) == {2} and "socket disconnected" in sizes.errors[2]
    assert sizes.total(("t", 0)) == 1234 and sizes.total(("t", 9)) == 0
    assert dict(port.requests) == {"describe_cluster": 1, "describe_log_dirs": 2}


def test_elect_leaders_not_needed_is_a_success() -> None:
    def result(topic: str, *parts: tuple[int, int]) -> Any:
        rows = [SimpleNamespace(partition_id=p, error_code=code, error_message=None) for p, code in parts]
        return SimpleNamespace(topic=topic, partition_result=rows)

    answer = SimpleNamespace(error_code=0, replica_election_results=[result("t", (0, 0), (1, 84), (2, 80))])
    fake = _Fake(elect_leaders=answer)
    out = _port(fake).elect_leaders([("t", 0), ("t", 1), ("t", 2), ("u", 0)])
    assert out[("t", 0)] is None and out[("t", 1)] is None
    assert out[("t", 2)] is not None and out[("t", 2)].startswith("PREFERRED_LEADER_NOT_AVAILABLE: ")
    assert out[("u", 0)] is not None and out[("u", 0)].startswith("NO_ANSWER")
    ((_, (election, by_topic, _ms)),) = fake.calls
    assert election == 0 and by_topic == {"t": [0, 1, 2], "u": [0]}  # 0: preferred


def test_kafka_python_errors_become_cluster_errors_without_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PW", "hunter2-secret")
    settings = _settings(
        bootstrap_servers="b:9094", security_protocol="SASL_PLAINTEXT", username="u", password="${env:PW}"
    )

    def refuse(**_: Any) -> Any:
        raise kafka_errors.KafkaConnectionError("login as u with hunter2-secret refused")

    port = KafkaReassign(settings, factory=refuse)
    with pytest.raises(ClusterError) as info:
        port.describe_brokers()
    assert "KafkaConnectionError" in info.value.message
    assert "hunter2" not in info.value.message and "hunter2" not in str(info.value.hint)
    assert "hunter2" not in repr(port.settings)


def test_an_error_in_a_call_is_a_cluster_error() -> None:
    port = _port(_Fake(describe_cluster=kafka_errors.NodeNotReadyError("controller")))
    with pytest.raises(ClusterError, match="describe_cluster failed"):
        port.describe_brokers()


@pytest.mark.parametrize(
    "first",
    [
        # kafka-python sends a cluster-wide request to the least loaded broker; if that one was just
        # killed, the answer is 'socket disconnected' and the next try picks a live one
        kafka_errors.KafkaConnectionError("socket disconnected"),
        # after a broker restarts, the metadata may name it controller before the client lists it
        # (UnknownBrokerIdError, not marked retriable); a new try reads the metadata again
        kafka_errors.UnknownBrokerIdError("3"),
    ],
)
def test_a_failure_a_new_try_mends_is_tried_again(monkeypatch: pytest.MonkeyPatch, first: Exception) -> None:
    monkeypatch.setattr(reassign, "_RETRY_FIRST_S", 0.01)
    answers: list[Any] = [first, BROKERS]

    def describe() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    port = _port(_Fake(describe_cluster=describe))
    assert port.describe_brokers() == [Broker(1, None), Broker(2, "r1")]
    assert port.requests["describe_cluster"] == 2


def test_a_retriable_failure_that_lasts_is_a_cluster_error_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reassign, "_RETRY_FIRST_S", 0.01)
    fake = _Fake(describe_cluster=kafka_errors.KafkaConnectionError("socket disconnected"))
    port = _port(fake, timeout_ms=300)
    started = time.monotonic()
    with pytest.raises(ClusterError, match=r"describe_cluster failed.*socket disconnected"):
        port.describe_brokers()
    assert time.monotonic() - started < 5
    assert len(fake.calls) > 1 and port.requests["describe_cluster"] == len(fake.calls)


def test_a_failure_that_is_not_retriable_is_not_tried_again() -> None:
    fake = _Fake(describe_cluster=kafka_errors.ClusterAuthorizationFailedError("no DESCRIBE on the cluster"))
    with pytest.raises(ClusterError):
        _port(fake).describe_brokers()
    assert len(fake.calls) == 1


def test_a_call_that_hangs_is_given_up_in_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reassign, "_GRACE_S", 0.2)
    release = threading.Event()
    port = _port(_Fake(describe_cluster=lambda: release.wait(30)), timeout_ms=200)
    started = time.monotonic()
    with pytest.raises(ClusterError, match="no answer within"):
        port.describe_brokers()
    release.set()
    assert time.monotonic() - started < 10


def test_a_bootstrap_timeout_does_not_quote_the_resolved_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """kafka-python's 'Unable to bootstrap from [...]' lists the resolved servers, which may come from
    a secret reference; kgov shows the setting as written and the last connection failure."""
    monkeypatch.setenv("BOOT", "hidden-host-77:9092")
    settings = _settings(bootstrap_servers="${env:BOOT}")

    def timeout(**_: Any) -> Any:
        reassign._library_log.warning(
            "Bootstrap connection to bootstrap-0 failed: KafkaConnectionError: 111 ECONNREFUSED"
            " (backoff 0.1 secs)"
        )
        raise kafka_errors.KafkaTimeoutError("Unable to bootstrap from ['hidden-host-77:9092']")

    with pytest.raises(ClusterError) as info:
        KafkaReassign(settings, factory=timeout).list_partition_reassignments()
    assert "hidden-host" not in info.value.message
    assert "${env:BOOT}" in info.value.message and "ECONNREFUSED" in info.value.message


def test_close_closes_the_client_once() -> None:
    closed: list[bool] = []
    port = _port(_Fake(describe_cluster=BROKERS, close=lambda: closed.append(True)))
    port.close()  # no client yet: nothing to close
    port.describe_brokers()
    port.close()
    port.close()
    assert closed == [True]


# -- the real kafka-python client against a listener that never answers ---------------------------
@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """A TCP listener that completes every handshake and never sends a byte."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as server:
        yield server


def test_a_silent_broker_is_a_cluster_error_in_bounded_time(silent_listener: socket.socket) -> None:
    port = KafkaReassign(
        _settings(bootstrap_servers=f"127.0.0.1:{silent_listener.getsockname()[1]}", timeout_ms=1000)
    )
    started = time.monotonic()
    with pytest.raises(ClusterError, match="cannot reach Kafka"):
        port.list_partition_reassignments()
    assert time.monotonic() - started < 10


def test_ctrl_c_interrupts_a_call_waiting_on_a_silent_broker(silent_listener: socket.socket) -> None:
    port = KafkaReassign(
        _settings(bootstrap_servers=f"127.0.0.1:{silent_listener.getsockname()[1]}", timeout_ms=30_000)
    )
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        port.describe_brokers()
    timer.join()
    assert time.monotonic() - started < 10  # at the Ctrl-C, long before the 30 s bootstrap
