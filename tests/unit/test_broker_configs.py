"""kgov/broker_configs.py: Kafka 4's broker configs from the generated table, the levels kgov may set
them at, and values in kgov's readable units normalised to Kafka's form."""

from __future__ import annotations

import pytest

from kgov import broker_configs as bc
from kgov.kafka_configs import ConfigValueError


def test_a_dynamic_cluster_wide_config_may_be_set_at_both_levels() -> None:
    assert bc.problem("log.cleaner.threads", bc.DEFAULT_LEVEL) is None
    assert bc.problem("log.cleaner.threads", bc.BROKER_LEVEL) is None


def test_a_read_only_config_is_refused_with_its_dynamic_twin() -> None:
    why = bc.problem("log.retention.hours", bc.DEFAULT_LEVEL)
    assert why is not None and "read-only" in why and "server.properties" in why and "log.retention.ms" in why
    assert "read-only" in (bc.problem("log.dirs", bc.BROKER_LEVEL) or "")


def test_a_per_broker_config_is_refused_as_a_cluster_default_only() -> None:
    assert "per broker" in (bc.problem("listeners", bc.DEFAULT_LEVEL) or "")
    assert bc.problem("listeners", bc.BROKER_LEVEL) is None


def test_listener_prefixed_security_configs_are_per_broker_and_sensitive() -> None:
    key = "listener.name.sasl_ssl.ssl.key.password"
    assert bc.problem(key, bc.BROKER_LEVEL) is None
    assert bc.problem(key, bc.DEFAULT_LEVEL) is not None
    assert bc.is_sensitive(key) and bc.is_sensitive("listener.name.x.scram-sha-256.sasl.jaas.config")
    assert "listener" in (bc.problem("ssl.keystore.password", bc.BROKER_LEVEL) or "")
    assert not bc.is_sensitive("log.cleaner.threads")


def test_unknown_configs_get_a_did_you_mean_and_kgovs_throttles_are_refused() -> None:
    assert "did you mean 'log.cleaner.threads'" in (bc.problem("log.cleaner.thread", bc.DEFAULT_LEVEL) or "")
    for key in bc.KGOV_MANAGED:
        assert "kgov itself" in (bc.problem(key, bc.DEFAULT_LEVEL) or "")


@pytest.mark.parametrize(
    ("key", "value", "kafka"),
    [
        ("log.retention.ms", "7d", "604800000"),
        ("message.max.bytes", "2MiB", "2097152"),
        ("log.cleaner.threads", 2, "2"),
        ("log.cleanup.policy", "delete,compact", "compact,delete"),
        ("unclean.leader.election.enable", True, "true"),
        ("log.cleaner.min.cleanable.ratio", "0.25", "0.25"),
    ],
)
def test_values_are_normalised_to_kafkas_form(key: str, value: object, kafka: str) -> None:
    assert bc.normalize(key, value) == kafka


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("log.cleaner.threads", -1),
        ("log.cleaner.threads", "two"),
        ("compression.type", "brotli"),
        ("sasl.login.refresh.buffer.seconds", 40000),  # a SHORT
        ("log.cleaner.min.cleanable.ratio", 2),
    ],
)
def test_values_kafka_would_refuse_are_refused(key: str, value: object) -> None:
    with pytest.raises(ConfigValueError):
        bc.normalize(key, value)


def test_the_table_knows_kafka_4s_dynamic_configs() -> None:
    table = bc.table()
    assert table["log.cleaner.threads"].mode == bc.CLUSTER_WIDE
    assert table["listeners"].mode == bc.PER_BROKER
    assert table["process.roles"].mode == bc.READ_ONLY
    assert all(k in table for k in bc.KGOV_MANAGED)
    assert "min.insync.replicas" in bc.NEVER_RESET
