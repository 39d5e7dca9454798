"""Quota values as a catalog writes them, read into Kafka's form (kgov/quota_values.py)."""

from __future__ import annotations

import pytest

from kgov.quota_values import QuotaValueError, kafka_form, kafka_value, readable


@pytest.mark.parametrize(
    ("key", "written", "kafka"),
    [
        ("producer_byte_rate", "10MiB/s", 10 * 2**20),
        ("producer_byte_rate", "100KiB/s", 102400),
        ("consumer_byte_rate", "1.5MB/s", 1_500_000),
        ("consumer_byte_rate", "1.5 MiB", 1_572_864),
        ("consumer_byte_rate", 1048576, 1048576),
        ("consumer_byte_rate", "2048", 2048),
        ("consumer_byte_rate", 2048.0, 2048),
        ("request_percentage", 50, 50),
        ("request_percentage", "150.5", 150.5),  # more than one thread: legal
        ("controller_mutation_rate", 0.5, 0.5),
        ("controller_mutation_rate", "10", 10),
    ],
)
def test_values_read_into_kafkas_form(key: str, written: object, kafka: float) -> None:
    assert kafka_value(key, written) == kafka


@pytest.mark.parametrize(
    ("key", "written", "says"),
    [
        ("producer_byte_rate", "fast", "cannot read the rate 'fast'"),
        ("producer_byte_rate", "10 MiBs/s", "cannot read the rate"),
        ("producer_byte_rate", "10TiB/s", "cannot read the rate"),
        ("producer_byte_rate", 0, "greater than 0"),
        ("producer_byte_rate", -5, "greater than 0"),
        ("producer_byte_rate", "0KiB/s", "greater than 0"),
        ("producer_byte_rate", "1.1KiB/s", "not a whole number"),
        ("producer_byte_rate", 2**64, "above Kafka's largest"),
        ("producer_byte_rate", True, "must be a number"),
        ("producer_byte_rate", [1], "must be a number"),
        ("request_percentage", "half", "must be a number"),
        ("request_percentage", "10MiB/s", "must be a number"),
        ("request_percentage", 0, "greater than 0"),
        ("request_percentage", -1.5, "greater than 0"),
        ("request_percentage", float("nan"), "greater than 0"),
        ("controller_mutation_rate", float("inf"), "greater than 0"),
        ("bytes_per_hour", 1, "unknown quota"),
    ],
)
def test_what_kafka_refuses_is_an_error_that_says_why(key: str, written: object, says: str) -> None:
    with pytest.raises(QuotaValueError, match=says):
        kafka_value(key, written)


def test_a_long_unreadable_value_is_quoted_short() -> None:
    with pytest.raises(QuotaValueError) as caught:
        kafka_value("producer_byte_rate", "x" * 10_000)
    assert len(str(caught.value)) < 300


def test_plan_and_people_forms() -> None:
    assert kafka_form(102400.0) == 102400 and isinstance(kafka_form(102400.0), int)
    assert kafka_form(12.5) == 12.5
    assert readable("producer_byte_rate", 102400.0) == "100 KiB/s"
    assert readable("producer_byte_rate", 1_572_864.0) == "1.5 MiB/s"
    assert readable("producer_byte_rate", 1_500_000.0) == "1500000 B/s"
    assert readable("request_percentage", 50.0) == "50 %"
    assert readable("controller_mutation_rate", 2.5) == "2.5 /s"
