"""Kafka's quota precedence, as a table: with every entity from a level down set, the level wins;
each key is resolved on its own."""

from __future__ import annotations

import pytest

from kgov.cluster.kafka.quota_port import DEFAULT_PART, QuotaEntity, named
from kgov.kinds.quotas.effective import effective, precedence

U, C = named("orders"), named("orders-api")
D = DEFAULT_PART
# Kafka's documented order (docs "Quotas": "the most specific ... is applied"), most specific first
LEVELS = [
    ("user=orders,client-id=orders-api", QuotaEntity(U, C)),
    ("user=orders,client-id=<default>", QuotaEntity(U, D)),
    ("user=orders", QuotaEntity(U)),
    ("user=<default>,client-id=orders-api", QuotaEntity(D, C)),
    ("user=<default>,client-id=<default>", QuotaEntity(D, D)),
    ("user=<default>", QuotaEntity(D)),
    ("client-id=orders-api", QuotaEntity(None, C)),
    ("client-id=<default>", QuotaEntity(None, D)),
]


def test_the_order_is_kafkas() -> None:
    assert [e.name for e in precedence("orders", "orders-api")] == [name for name, _ in LEVELS]
    # a client id without an entity of its own: only the defaults can match it
    assert [e.name for e in precedence("orders", None)] == [
        "user=orders,client-id=<default>",
        "user=orders",
        "user=<default>,client-id=<default>",
        "user=<default>",
        "client-id=<default>",
    ]


@pytest.mark.parametrize("level", range(len(LEVELS)), ids=[name for name, _ in LEVELS])
def test_the_most_specific_entity_that_sets_the_key_applies(level: int) -> None:
    quotas = {
        entity: {"producer_byte_rate": float(1000 + i)} for i, (_, entity) in enumerate(LEVELS) if i >= level
    }
    applied = effective(quotas, "orders", "orders-api")["producer_byte_rate"]
    assert applied.entity == LEVELS[level][1] and applied.value == 1000 + level


def test_each_key_is_resolved_on_its_own() -> None:
    quotas = {
        QuotaEntity(U, C): {"consumer_byte_rate": 1.0},
        QuotaEntity(D): {"producer_byte_rate": 2.0, "consumer_byte_rate": 3.0},
        QuotaEntity(None, D): {"request_percentage": 4.0},
    }
    found = {
        k: (a.value, a.entity.name if a.entity else None)
        for k, a in effective(quotas, "orders", "orders-api").items()
    }
    assert found == {
        "producer_byte_rate": (2.0, "user=<default>"),
        "consumer_byte_rate": (1.0, "user=orders,client-id=orders-api"),
        "request_percentage": (4.0, "client-id=<default>"),
        "controller_mutation_rate": (None, None),
    }


def test_another_users_or_client_ids_entities_never_apply() -> None:
    quotas = {
        QuotaEntity(named("billing")): {"producer_byte_rate": 1.0},
        QuotaEntity(None, named("x")): {"producer_byte_rate": 2.0},
    }
    assert effective(quotas, "orders", "orders-api")["producer_byte_rate"].entity is None
