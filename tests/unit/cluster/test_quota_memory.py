"""The in-memory quota twin keeps Kafka's rules (checked against a Kafka 4 broker: the messages of
INVALID_REQUEST are the broker's)."""

from __future__ import annotations

from kgov.cluster.kafka.quota_port import DEFAULT_PART, QuotaAlteration, QuotaEntity, named
from kgov.cluster.memory.quotas import MemoryQuotas

ORDERS = QuotaEntity(named("orders"))
ORDERS_ANY_CLIENT = QuotaEntity(named("orders"), DEFAULT_PART)


def test_set_change_remove_in_one_request_each() -> None:
    port = MemoryQuotas()
    assert port.alter_quotas(
        [
            QuotaAlteration(ORDERS, {"producer_byte_rate": 1024.0}),
            QuotaAlteration(ORDERS_ANY_CLIENT, {"request_percentage": 5.0}),
        ]
    ) == {ORDERS: None, ORDERS_ANY_CLIENT: None}
    assert port.describe_quotas() == {
        ORDERS: {"producer_byte_rate": 1024.0},
        ORDERS_ANY_CLIENT: {"request_percentage": 5.0},
    }
    port.alter_quotas([QuotaAlteration(ORDERS, remove=("producer_byte_rate", "consumer_byte_rate"))])
    assert port.describe_quotas() == {ORDERS_ANY_CLIENT: {"request_percentage": 5.0}}
    assert port.requests == [
        "alter_client_quotas",
        "describe_client_quotas",
        "alter_client_quotas",
        "describe_client_quotas",
    ]
    assert port.alter_quotas([]) == {} and len(port.requests) == 4


def test_kafka_refuses_an_entitys_bad_ops_and_applies_the_others() -> None:
    port = MemoryQuotas()
    out = port.alter_quotas(
        [
            QuotaAlteration(ORDERS, {"producer_byte_rate": 1.5, "consumer_byte_rate": 10.0}),
            QuotaAlteration(QuotaEntity(named("a")), {"request_percentage": 0.0}),
            QuotaAlteration(QuotaEntity(named("b")), {"bogus": 1.0}),
            QuotaAlteration(QuotaEntity(None, DEFAULT_PART), {"controller_mutation_rate": 2.0}),
        ]
    )
    assert out[ORDERS] == "INVALID_REQUEST: producer_byte_rate cannot be a fractional value."
    assert out[QuotaEntity(named("a"))] == "INVALID_REQUEST: Quota request_percentage must be greater than 0"
    assert out[QuotaEntity(named("b"))] == "INVALID_REQUEST: Invalid configuration key bogus"
    assert port.describe_quotas() == {QuotaEntity(None, DEFAULT_PART): {"controller_mutation_rate": 2.0}}


def test_entity_names_are_kafkas() -> None:
    assert ORDERS.name == "user=orders"
    assert ORDERS_ANY_CLIENT.name == "user=orders,client-id=<default>"
    assert QuotaEntity(None, named("api")).name == "client-id=api"
