"""`kgov sandbox up` waits through a starting service's connection-level failures (dropped and reset
connections, 503s, timeouts) until --timeout, and then names the step and the last error.

The registry side runs against a fake registry on 127.0.0.1 (tests/unit/sandbox/fake_registry.py);
the Kafka side against stand-ins of the cluster calls."""

from __future__ import annotations

import http.client
import os
import time
import urllib.error
from pathlib import Path

import pytest
from confluent_kafka import KafkaError, KafkaException

from kgov.errors import SandboxError
from kgov.sandbox import kafka, registry
from kgov.sandbox.paths import Component, StatePaths
from kgov.sandbox.results import QuietProgress
from kgov.sandbox.retry import Deadline, connection_failure, retry
from kgov.sandbox.settings import Ports, Settings
from kgov.sandbox.startup import Started, wait_ready

from .fake_registry import fake_registry

STEP = "Setting the registry's global compatibility to BACKWARD"


def _settings(registry_port: int) -> Settings:
    return Settings(ports=Ports(registry=registry_port))


# ---- what counts as "not yet" ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "refused"),
        ConnectionResetError(104, "reset"),
        http.client.RemoteDisconnected("closed"),
        http.client.IncompleteRead(b""),
        TimeoutError("timed out"),
        urllib.error.URLError(ConnectionRefusedError(111, "refused")),
        urllib.error.URLError(TimeoutError("timed out")),
        urllib.error.HTTPError("http://x/", 503, "Service Unavailable", {}, None),  # type: ignore[arg-type]
        urllib.error.HTTPError("http://x/", 500, "Server Error", {}, None),  # type: ignore[arg-type]
    ],
    ids=repr,
)
def test_connection_level_failures_are_retried(exc: BaseException) -> None:
    assert connection_failure(exc)


@pytest.mark.parametrize(
    "exc",
    [
        urllib.error.HTTPError("http://x/", 404, "Not Found", {}, None),  # type: ignore[arg-type]
        urllib.error.HTTPError("http://x/", 400, "Bad Request", {}, None),  # type: ignore[arg-type]
        urllib.error.URLError("unknown url type: htp"),
        ValueError("not JSON"),
        PermissionError(13, "denied"),
    ],
    ids=repr,
)
def test_other_failures_are_not_retried(exc: BaseException) -> None:
    assert not connection_failure(exc)


def test_kafka_errors_of_a_starting_cluster_are_retried_others_not() -> None:
    assert kafka.is_transient(KafkaException(KafkaError(KafkaError._TRANSPORT)))
    assert kafka.is_transient(KafkaException(KafkaError(KafkaError._TIMED_OUT)))
    assert kafka.is_transient(KafkaException(KafkaError(KafkaError.NOT_CONTROLLER)))
    assert kafka.is_transient(TimeoutError())  # a future's result(timeout=...)
    assert not kafka.is_transient(KafkaException(KafkaError(KafkaError.SASL_AUTHENTICATION_FAILED)))
    assert not kafka.is_transient(KafkaException(KafkaError(KafkaError.INVALID_REQUEST)))


def test_retry_gives_each_attempt_no_more_than_what_is_left() -> None:
    given: list[float] = []

    def attempt(timeout: float) -> int:
        given.append(timeout)
        if len(given) < 3:
            raise ConnectionRefusedError(111, "refused")
        return 7

    assert retry("a step", Deadline.after(30.0), attempt, longest=5.0) == 7
    assert len(given) == 3 and all(0 < t <= 5.0 for t in given)


# ---- the registry: the calls after readiness ---------------------------------------------------------


def test_system_info_waits_through_dropped_reset_and_503_answers() -> None:
    with fake_registry(["close", "503", "reset", "close", "502"]) as fake:
        info = registry.system_info(_settings(fake.port), Deadline.after(30.0), STEP)
    assert (info.name, info.version) == ("Fake Registry", "9.9.9")
    assert len(fake.requests) == 6


def test_global_compatibility_is_set_through_dropped_connections() -> None:
    """The failure seen in issue 18: the registry answered, then dropped a connection under load."""
    with fake_registry(["close", "close", "503"]) as fake:
        registry.set_global_compatibility(_settings(fake.port), Deadline.after(30.0), STEP)
        registry.system_info(_settings(fake.port), Deadline.after(30.0), STEP)
        assert fake.compatibility == "BACKWARD"
    assert fake.requests.count("PUT /apis/ccompat/v7/config") == 4  # 3 failed, 1 answered


def test_a_registry_that_keeps_dropping_connections_times_out_naming_the_step() -> None:
    with fake_registry([], then="close") as fake:
        began = time.monotonic()
        with pytest.raises(SandboxError) as failed:
            registry.set_global_compatibility(_settings(fake.port), Deadline.after(1.0), STEP)
        elapsed = time.monotonic() - began
    message = failed.value.message
    assert STEP in message
    assert "1s (--timeout)" in message
    assert f"PUT http://127.0.0.1:{fake.port}/apis/ccompat/v7/config" in message
    assert "--timeout" in (failed.value.hint or "")
    assert len(fake.requests) > 1  # it did retry
    assert elapsed < 10.0


def test_the_last_error_is_named_when_the_registry_keeps_answering_503() -> None:
    with fake_registry([], then="503") as fake, pytest.raises(SandboxError) as failed:
        registry.system_info(_settings(fake.port), Deadline.after(0.5), STEP)
    assert STEP in failed.value.message
    assert "503" in failed.value.message


def test_a_real_error_is_not_retried() -> None:
    with fake_registry(["404"]) as fake:
        began = time.monotonic()
        with pytest.raises(SandboxError) as failed:
            registry.system_info(_settings(fake.port), Deadline.after(30.0), STEP)
        assert time.monotonic() - began < 10.0  # at once, not at the deadline
    assert "404" in failed.value.message
    assert len(fake.requests) == 1


def test_the_retries_stop_at_once_when_the_registry_process_is_gone() -> None:
    def gone() -> None:
        raise SandboxError("registry (pid 1) exited during start-up")

    with fake_registry([], then="close") as fake:
        began = time.monotonic()
        with pytest.raises(SandboxError) as failed:
            registry.system_info(_settings(fake.port), Deadline.after(30.0), STEP, check=gone)
        assert time.monotonic() - began < 10.0  # not at the deadline
    assert "exited during start-up" in failed.value.message
    assert len(fake.requests) == 1


# ---- the readiness wait ------------------------------------------------------------------------------


def _registry_started() -> list[Started]:
    # The wait checks that the process is alive: this test's own process stands in for the registry.
    return [Started(Component.REGISTRY.value, os.getpid())]


def test_the_wait_holds_until_the_registry_serves_api_calls(tmp_path: Path) -> None:
    with fake_registry(["close", "reset", "503", "503", "close"]) as fake:
        wait_ready(
            StatePaths.at(tmp_path), _registry_started(), _settings(fake.port), "pw",
            Deadline.after(30.0), QuietProgress(), "Waiting for registry to answer",
        )  # fmt: skip
    assert len(fake.requests) == 6


def test_the_wait_times_out_naming_the_step_the_process_and_the_last_error(tmp_path: Path) -> None:
    step = "Waiting for registry, kafka to answer"
    with fake_registry([], then="503") as fake, pytest.raises(SandboxError) as failed:
        wait_ready(
            StatePaths.at(tmp_path), _registry_started(), _settings(fake.port), "pw",
            Deadline.after(0.5), QuietProgress(), step,
        )  # fmt: skip
    message = failed.value.message
    assert step in message
    assert "registry did not answer" in message
    assert "503" in message
    assert "--timeout" in (failed.value.hint or "")


class FakeCluster:
    """Stand-ins for the cluster calls of the wait: each fails its first N calls with `error`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fails: dict[str, int], error: BaseException) -> None:
        self.fails, self.error, self.calls = dict(fails), error, {"probe": 0, "upsert": 0, "login": 0}
        monkeypatch.setattr(kafka, "probe", self.probe)
        monkeypatch.setattr(kafka, "upsert_admin_credentials", self.upsert)
        monkeypatch.setattr(kafka, "scram_login_problem", self.login)

    def _failing(self, name: str) -> bool:
        self.calls[name] += 1
        return self.calls[name] <= self.fails.get(name, 0)

    def probe(self, settings: Settings, timeout: float = 3.0) -> kafka.Probe:
        return kafka.Probe(None, "nothing listens yet") if self._failing("probe") else kafka.Probe("ID")

    def upsert(self, settings: Settings, password: str, timeout: float = 10.0) -> None:
        if self._failing("upsert"):
            raise self.error

    def login(self, settings: Settings, password: str, timeout: float = 3.0) -> str | None:
        return "the admin's SCRAM-SHA-512 login: refused" if self._failing("login") else None


def _kafka_started() -> list[Started]:
    return [Started("kafka", os.getpid())]


def test_writing_the_scram_users_is_retried_through_connection_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = KafkaException(KafkaError(KafkaError._TRANSPORT))
    cluster = FakeCluster(monkeypatch, {"probe": 2, "upsert": 3, "login": 2}, error)
    cluster_id = wait_ready(
        StatePaths.at(tmp_path), _kafka_started(), Settings(), "pw", Deadline.after(30.0), QuietProgress(),
        "Waiting for kafka to answer",
    )  # fmt: skip
    assert cluster_id == "ID"
    assert cluster.calls == {"probe": 3, "upsert": 4, "login": 3}


def test_writing_the_scram_users_times_out_with_its_last_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeCluster(monkeypatch, {"upsert": 10**6}, KafkaException(KafkaError(KafkaError.REQUEST_TIMED_OUT)))
    with pytest.raises(SandboxError) as failed:
        wait_ready(
            StatePaths.at(tmp_path), _kafka_started(), Settings(), "pw", Deadline.after(0.5), QuietProgress(),
            "Waiting for kafka to answer",
        )  # fmt: skip
    message = failed.value.message
    assert "Waiting for kafka to answer" in message
    assert "kafka did not answer: writing the admin's SCRAM credentials" in message
    assert "REQUEST_TIMED_OUT" in message


def test_a_real_error_writing_the_scram_users_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = KafkaException(KafkaError(KafkaError.CLUSTER_AUTHORIZATION_FAILED))
    cluster = FakeCluster(monkeypatch, {"upsert": 10**6}, error)
    with pytest.raises(SandboxError) as failed:
        wait_ready(
            StatePaths.at(tmp_path), _kafka_started(), Settings(), "pw", Deadline.after(30.0),
            QuietProgress(), "Waiting for kafka to answer",
        )  # fmt: skip
    assert "could not write the admin's SCRAM credentials" in failed.value.message
    assert cluster.calls["upsert"] == 1
