"""Deletes with evidence, for subjects (issue 22, part 1): a subject whose topic is still on the
cluster, and not deleted by the same plan, is in use: blocked unless --allow-delete-active."""

from __future__ import annotations

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.registry import MemoryRegistry
from kgov.cluster.registry.port import NewSchema
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.kinds.subjects import SubjectKind
from kgov.kinds.topics import TopicKind
from kgov.plan.model import EVIDENCE, Plan
from tests.unit.kinds.test_subjects import V1, avro, cat
from tests.unit.plan.helpers import ENV

KINDS = (TopicKind(), SubjectKind())


def _setup() -> tuple[MemoryCluster, MemoryRegistry]:
    kafka = MemoryCluster()
    kafka.add_topic("orders.created", 3, 3)
    kafka.add_topic("orders.old", 1, 3)  # still on the cluster, and in the catalog below
    registry = MemoryRegistry()
    registry.register(NewSchema("orders.created-value", "AVRO", avro(V1)))
    registry.register(NewSchema("orders.old-value", "AVRO", '"string"'))
    registry.register(NewSchema("orders.gone-value", "AVRO", '"string"'))  # its topic is gone
    return kafka, registry


def _plan(kafka: MemoryCluster, registry: MemoryRegistry, topics: dict[str, str], **kw: bool) -> Plan:
    c = cat({"orders.created-value": avro(V1)}, delete=True, **topics)
    return make_plan(c, ENV, Backends(kafka=kafka, registry=registry), allow_delete=True, kinds=KINDS, **kw)


def _actions(p: Plan) -> dict[str, str]:
    return {e.address: e.action for e in p.entries}


def test_a_subject_whose_topic_stays_is_blocked_and_one_whose_topic_is_gone_is_deleted() -> None:
    kafka, registry = _setup()
    # the catalog keeps orders.old (without its schema) and orders.created
    p = _plan(
        kafka, registry, {"orders.created": "orders.created-value", "orders.old": "orders.created-value"}
    )
    assert _actions(p)["subject.orders.old-value"] == "blocked"
    blocked = next(e for e in p.entries if e.name == "orders.old-value")
    assert "topic orders.old on the cluster still uses it" in str(blocked.reason)
    gone = next(e for e in p.entries if e.name == "orders.gone-value")
    assert gone.action == "delete" and any(n.startswith(EVIDENCE) for n in gone.notes)


def test_a_subject_whose_topic_the_same_plan_deletes_is_deleted_with_it() -> None:
    kafka, registry = _setup()
    p = _plan(kafka, registry, {"orders.created": "orders.created-value"})
    assert _actions(p)["topic.orders.old"] == "delete"
    assert _actions(p)["subject.orders.old-value"] == "delete"
    entry = next(e for e in p.entries if e.name == "orders.old-value")
    assert any("deleted by this plan" in n for n in entry.notes)


def test_allow_delete_active_deletes_a_subject_in_use() -> None:
    kafka, registry = _setup()
    topics = {"orders.created": "orders.created-value", "orders.old": "orders.created-value"}
    p = _plan(kafka, registry, topics, allow_delete_active=True)
    assert _actions(p)["subject.orders.old-value"] == "delete"


def test_a_subject_whose_topic_the_catalog_still_declares_is_in_use_before_the_topic_exists() -> None:
    """orders.new is in the catalog (without a schema) but not on the cluster yet: its subject is
    in use all the same (its producers will register and read it)."""
    kafka, registry = _setup()
    registry.register(NewSchema("orders.new-value", "AVRO", '"string"'))
    topics = {"orders.created": "orders.created-value", "orders.new": "orders.created-value"}
    p = _plan(kafka, registry, topics)
    assert _actions(p)["topic.orders.new"] == "create"
    blocked = next(e for e in p.entries if e.name == "orders.new-value")
    assert blocked.action == "blocked"
    assert "topic orders.new in the catalog still names it; no topic orders.new on the cluster" in str(
        blocked.reason
    )
    # without a Kafka connection, the catalog's word alone
    alone = make_plan(
        cat({"orders.created-value": avro(V1)}, delete=True, **topics),
        ENV,
        Backends(registry=registry),
        allow_delete=True,
        kinds=(SubjectKind(),),
    )
    entry = next(e for e in alone.entries if e.name == "orders.new-value")
    assert entry.action == "blocked" and str(entry.reason).endswith("in the catalog still names it")
