"""Subjects planned and applied against the sandbox's registry, then used by real clients."""

from __future__ import annotations

import copy
import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from kgov.cluster.registry.adapter import HttpRegistry, RegistrySettings
from kgov.cluster.registry.port import NewSchema
from tests.support import SETTINGS, topic_doc

from .kgovtest import kgov, unique_service

EXAMPLE = Path(__file__).resolve().parents[2] / "catalog" / "schemas"
CUSTOMER = {
    "type": "record",
    "name": "Customer",
    "namespace": "shop",
    "fields": [{"name": "cid", "type": "long"}],
}


def registry() -> HttpRegistry:
    url = os.environ["KGOV_SCHEMA_REGISTRY_URL"]
    host, _, rest = url.removeprefix("http://").partition(":")
    port, _, path = rest.partition("/")
    return HttpRegistry(RegistrySettings(url, host, int(port), "/" + path, False, None, None))


class Catalog:
    """A throwaway catalog: one service, a topic per subject, schema files from the example."""

    def __init__(self, root: Path, registry_url: str = "${env:KGOV_SCHEMA_REGISTRY_URL}") -> None:
        self.root, self.service = root, unique_service()
        self.topics: list[dict[str, Any]] = []
        settings = copy.deepcopy(SETTINGS)
        settings["environments"]["local"]["schema_registry"] = {"url": registry_url}
        settings["ownership"]["delete"] = False
        (root / "topics").mkdir(parents=True)
        (root / "schemas").mkdir()
        (root / "kgov.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))

    def add(self, event: str, text: str, suffix: str = ".avsc", level: str | None = None) -> str:
        subject = f"{self.service}.{event}-value"
        topic = topic_doc(f"{self.service}.{event}")
        topic["value_schema"] = {"subject": subject, "compatibility": level} if level else subject
        self.topics = [t for t in self.topics if t["name"] != topic["name"]] + [topic]
        (self.root / "schemas" / f"{subject}{suffix}").write_text(text)
        body = {"service": self.service, "owner": "team-test", "topics": self.topics}
        (self.root / "topics" / f"{self.service}.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
        return subject

    def plan(self, *extra: str) -> Any:
        return kgov("plan", "--env", "local", "--catalog", str(self.root), *extra)

    def apply(self) -> Any:
        return kgov("apply", "--env", "local", "--catalog", str(self.root), "--auto-approve")


def test_example_subjects_register_converge_and_change(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "catalog")
    subjects = [
        cat.add(f"e{i}", path.read_text(), path.suffix) for i, path in enumerate(sorted(EXAMPLE.iterdir()))
    ]
    assert cat.apply().code == 0
    converged = cat.plan("--detailed-exitcode")
    assert converged.code == 0, converged.output
    reg = registry()
    assert all(v is not None and v.version == 1 for v in reg.latest(subjects).values())

    state = json.loads((EXAMPLE / "orders.state-value.avsc").read_text())
    state["fields"].append({"name": "note", "type": "string", "default": ""})
    subject = cat.add("e9", json.dumps(state))  # e9 is orders.state-value in the sorted example
    changed = cat.plan("--detailed-exitcode", "--format", "json")
    assert changed.code == 2, changed.output
    (entry,) = json.loads(changed.stdout)["resource_changes"]
    assert (entry["address"], entry["action"]) == (f"subject.{subject}", "update")
    assert cat.apply().code == 0
    assert reg.latest([subject])[subject].version == 2  # type: ignore[union-attr]

    state["fields"].append({"name": "missing_default", "type": "string"})
    cat.add("e9", json.dumps(state))
    blocked = cat.plan()
    assert blocked.code == 1
    assert "missing_default: field of new has no default and is missing in old" in " ".join(
        blocked.output.split()
    )
    assert cat.apply().code == 1
    assert reg.latest([subject])[subject].version == 2  # type: ignore[union-attr]


def test_level_change_references_and_unmanaged(tmp_path: Path) -> None:
    reg = registry()
    unmanaged = f"{unique_service()}.other-value"
    reg.register(NewSchema(unmanaged, "AVRO", '"string"'))
    cat = Catalog(tmp_path / "catalog")
    customer = cat.add("customer", json.dumps(CUSTOMER))
    order = {
        "type": "record",
        "name": "Order",
        "namespace": "shop",
        "fields": [{"name": "id", "type": "string"}, {"name": "customer", "type": "Customer"}],
    }
    order_subject = cat.add("order", json.dumps(order))
    assert cat.apply().code == 0
    registered = reg.latest([order_subject])[order_subject]
    assert registered is not None
    assert [(r.name, r.subject, r.version) for r in registered.references] == [("shop.Customer", customer, 1)]
    assert cat.plan("--detailed-exitcode").code == 0

    cat.add("order", json.dumps(order), level="FULL")
    plan = cat.plan("--format", "json")
    (entry,) = json.loads(plan.stdout)["resource_changes"]
    assert [c["field"] for c in entry["changes"]] == ["compatibility"]
    assert cat.apply().code == 0
    assert reg.levels([order_subject]) == {order_subject: "FULL"}
    assert reg.latest([unmanaged])[unmanaged] is not None and unmanaged not in plan.stdout


def test_registry_down_mid_plan_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cat = Catalog(tmp_path / "catalog", registry_url=f"http://127.0.0.1:{port}/apis/ccompat/v7")
    cat.add("x", '"string"')
    result = cat.plan()
    assert result.code == 1
    text = " ".join(result.output.split())
    assert f"the Schema Registry at http://127.0.0.1:{port}/apis/ccompat/v7 is unreachable" in text
    assert "Traceback" not in text


def _roundtrip(topic: str, serializer: Any, deserializer: Any, value: dict[str, Any]) -> Any:
    ctx = SerializationContext(topic, MessageField.VALUE)
    producer = Producer({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
    producer.produce(topic, value=serializer(value, ctx))
    assert producer.flush(15) == 0
    consumer = Consumer(
        {
            "bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"],
            "group.id": uuid.uuid4().hex,
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    try:
        for _ in range(60):
            msg = consumer.poll(1.0)
            if msg is not None and msg.error() is None:
                return deserializer(msg.value(), ctx)
    finally:
        consumer.close()
    pytest.fail(f"no message on {topic}")


def test_real_clients_serialize_with_the_applied_schemas(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "catalog")
    avro_subject = cat.add("avro", (EXAMPLE / "orders.state-value.avsc").read_text())
    json_subject = cat.add("json", (EXAMPLE / "users.registered-value.json").read_text(), ".json")
    assert cat.apply().code == 0
    client = SchemaRegistryClient({"url": os.environ["KGOV_SCHEMA_REGISTRY_URL"], "timeout": 20})
    # The subject is the topic's (Confluent's default), named explicitly: newer clients otherwise ask
    # the registry for "associations", an endpoint Apicurio does not answer.
    conf = {
        "auto.register.schemas": False,
        "use.latest.version": True,
        "subject.name.strategy": topic_subject_name_strategy,
    }
    order = {"order_id": "o-1", "status": "PAID", "updated_at": 1_700_000_000_000}
    got = _roundtrip(
        avro_subject.removesuffix("-value"),
        AvroSerializer(client, None, conf=conf),
        AvroDeserializer(client),
        order,
    )
    assert got["order_id"] == "o-1" and got["status"] == "PAID"
    user = {"user_id": "u-1", "email": "a@example.com", "occurred_at": "2026-11-25T10:00:00Z"}
    json_schema = (EXAMPLE / "users.registered-value.json").read_text()
    got = _roundtrip(
        json_subject.removesuffix("-value"),
        JSONSerializer(json_schema, client, conf={**conf, "use.latest.version": True}),
        JSONDeserializer(json_schema),
        user,
    )
    assert got == user


def test_registry_down_at_apply_is_a_clear_error_and_a_rerun_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = Catalog(tmp_path / "catalog")
    subject = cat.add("down", json.dumps(CUSTOMER))
    saved = tmp_path / "plan.json"
    assert cat.plan("--out", str(saved)).code == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    real = os.environ["KGOV_SCHEMA_REGISTRY_URL"]
    monkeypatch.setenv("KGOV_SCHEMA_REGISTRY_URL", f"http://127.0.0.1:{port}/apis/ccompat/v7")
    down = kgov("apply", str(saved), "--env", "local", "--catalog", str(cat.root), "--auto-approve")
    assert down.code == 1 and "is unreachable" in " ".join(down.output.split())
    assert "Traceback" not in down.output
    monkeypatch.setenv("KGOV_SCHEMA_REGISTRY_URL", real)
    assert registry().latest([subject])[subject] is None
    assert cat.apply().code == 0
    assert cat.plan("--detailed-exitcode").code == 0
