"""The quota adapter (kafka-python's quota messages, kgov/cluster/kafka/adapter/quotas.py) against the
real broker: describe, alter and remove for each kind of entity, Kafka's refusals read per entity,
over SCRAM as kgov logs in. Entities carry a unique name; the test removes what it set."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.quotas import KafkaQuotas
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.cluster.kafka.quota_port import DEFAULT_PART, QuotaAlteration, QuotaEntity, Quotas, named


def _eventually(port: KafkaQuotas, ok: Callable[[Quotas], bool], timeout_s: float = 15.0) -> Quotas:
    """The listing once it shows a change: the broker answering learns it from the controller's log
    a moment after the controller accepted it."""
    deadline = time.monotonic() + timeout_s
    while True:
        seen = port.describe_quotas()
        if ok(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.1)


@pytest.fixture
def port(sandbox: dict[str, str]) -> Iterator[KafkaQuotas]:
    block = {
        "bootstrap_servers": sandbox["KGOV_BOOTSTRAP_SASL"],
        "security_protocol": "SASL_PLAINTEXT",
        "username": sandbox["KGOV_USERNAME"],
        "password": sandbox["KGOV_PASSWORD"],
        "timeout_ms": 15_000,
    }
    env = Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="sb", kafka=block)
    quotas = KafkaQuotas(KafkaReassign(kafka_settings(env)), KafkaCluster(kafka_settings(env)))
    yield quotas
    quotas.close()


def test_describe_alter_remove(port: KafkaQuotas) -> None:
    user, client = f"quota-probe-{uuid.uuid4().hex[:8]}", f"client-{uuid.uuid4().hex[:8]}"
    entities = [
        QuotaEntity(named(user)),
        QuotaEntity(named(user), DEFAULT_PART),
        QuotaEntity(named(user), named(client)),
        QuotaEntity(None, named(client)),
    ]
    values = [
        {"producer_byte_rate": 102400.0, "request_percentage": 150.5},
        {"consumer_byte_rate": 2048.0},
        {"controller_mutation_rate": 2.5},
        {"producer_byte_rate": 4096.0},
    ]
    try:
        out = port.alter_quotas([QuotaAlteration(e, v) for e, v in zip(entities, values, strict=True)])
        assert out == dict.fromkeys(entities)
        wanted = dict(zip(entities, values, strict=True))
        seen = _eventually(port, lambda q: {e: q.get(e) for e in entities} == wanted)
        assert {e: seen.get(e) for e in entities} == wanted

        changed = port.alter_quotas(
            [
                QuotaAlteration(entities[0], {"producer_byte_rate": 204800.0}, ("request_percentage",)),
                QuotaAlteration(QuotaEntity(named(user + "-bad")), {"producer_byte_rate": 1.5}),
                QuotaAlteration(QuotaEntity(named(user + "-zero")), {"consumer_byte_rate": 0.0}),
            ]
        )
        assert changed[entities[0]] is None
        assert (changed[QuotaEntity(named(user + "-bad"))] or "").startswith("INVALID_REQUEST")
        assert (changed[QuotaEntity(named(user + "-zero"))] or "").startswith("INVALID_REQUEST")
        assert _eventually(port, lambda q: q.get(entities[0]) == {"producer_byte_rate": 204800.0})[
            entities[0]
        ] == {"producer_byte_rate": 204800.0}
    finally:
        removed = port.alter_quotas(
            [QuotaAlteration(e, remove=tuple(sorted({k for v in values for k in v}))) for e in entities]
        )
    assert removed == dict.fromkeys(entities)
    assert not set(entities) & set(_eventually(port, lambda q: not set(entities) & set(q)))
    assert port.requests["alter_client_quotas"] == 3  # one request a batch


def test_group_client_ids_names_the_members_client_ids(port: KafkaQuotas, sandbox: dict[str, str]) -> None:
    """What the audit's effective quota reads: the client ids of a live group's members (kafka-python's
    describe_groups); an unknown group is left out, not an error."""
    from confluent_kafka import Consumer
    from confluent_kafka.admin import AdminClient, NewTopic

    name = f"quota-group-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": sandbox["KGOV_BOOTSTRAP_PLAINTEXT"]})
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(timeout=30)
    conf = {
        "bootstrap.servers": sandbox["KGOV_BOOTSTRAP_PLAINTEXT"],
        "group.id": name,
        "client.id": f"{name}-c",
    }
    consumer = Consumer(conf)
    try:
        consumer.subscribe([name])
        deadline = time.monotonic() + 30
        found: dict[str, frozenset[str]] = {}
        while time.monotonic() < deadline:  # the member joins within a few polls
            consumer.poll(0.5)
            found = dict(port.group_client_ids([name, f"{name}-none"]))
            if found:
                break
        assert found == {name: frozenset({f"{name}-c"})}
    finally:
        consumer.close()
        admin.delete_topics([name])


@pytest.mark.parametrize("principals", [1, 40])
def test_a_plan_and_its_apply_send_one_request_each_whatever_the_principals(
    port: KafkaQuotas, tmp_path: Path, principals: int
) -> None:
    from kgov.catalog.load import load_catalog
    from kgov.engine.apply import apply_plan
    from kgov.engine.make import make_plan
    from kgov.kinds.base import Backends
    from kgov.kinds.quotas import ClientQuotas
    from tests.support import SETTINGS

    root = tmp_path / "catalog"
    (root / "acls").mkdir(parents=True)
    (root / "kgov.yaml").write_text(yaml.safe_dump(SETTINGS))
    users = [f"quota-count-{uuid.uuid4().hex[:8]}" for _ in range(principals)]
    for user in users:
        text = f"service: {user}\nprincipal: User:{user}\nquotas:\n  consumer_byte_rate: 1MiB/s\n"
        (root / "acls" / f"{user}.yaml").write_text(text)
    catalog = load_catalog(root).catalog
    kinds = (ClientQuotas(),)
    try:
        plan = make_plan(catalog, "local", Backends(quotas=port), allow_delete=False, kinds=kinds)
        assert len(plan.entries) == principals
        assert dict(port.requests) == {"describe_client_quotas": 1}
        assert all(r.ok for r in apply_plan(plan, Backends(quotas=port), kinds))
        assert port.requests["alter_client_quotas"] == 1
    finally:
        entities = [QuotaEntity(named(u)) for u in users]
        port.alter_quotas([QuotaAlteration(e, remove=("consumer_byte_rate",)) for e in entities])
