"""The audit reads the cluster as plan does (kgov/engine/observe.py): the registry's reads run while
the broker answers, each backend's whole-cluster reads are made once, and its output keeps the
kinds' order."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from kgov.audit.build import audit_cluster
from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.port import TopicListing
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.registry import MemoryRegistry
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends

REPO = Path(__file__).resolve().parents[3]


class AskedRegistry(MemoryRegistry):
    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()
        self.listed = 0

    def subjects(self) -> Sequence[str]:
        self.asked.set()
        self.listed += 1
        return super().subjects()


class WaitingCluster(MemoryCluster):
    """Its topic listing waits for the registry's first read: read one after the other, it would
    wait the whole timeout, as the registry is asked only after the Kafka kinds."""

    def __init__(self, registry: AskedRegistry) -> None:
        super().__init__(brokers=1)
        self.registry = registry
        self.overlapped: list[bool] = []

    def list_topics(self) -> TopicListing:
        self.overlapped.append(self.registry.asked.wait(10))
        return super().list_topics()


def _backends() -> tuple[WaitingCluster, AskedRegistry]:
    registry = AskedRegistry()
    return WaitingCluster(registry), registry


def test_the_audit_reads_the_registry_while_the_broker_answers_as_plan_does() -> None:
    catalog = load_catalog(REPO / "catalog").catalog
    for read in (
        lambda b: audit_cluster(catalog, "local", b),
        lambda b: make_plan(catalog, "local", b, allow_delete=False),
    ):
        kafka, registry = _backends()
        read(Backends(kafka=kafka, registry=registry))
        assert kafka.overlapped == [True]  # one listing, made once for every kind that needs it
        assert registry.listed == 1


def test_a_kind_with_no_connection_is_warned_about_in_the_kinds_order() -> None:
    catalog = load_catalog(REPO / "catalog").catalog
    audit = audit_cluster(catalog, "local", Backends(registry=MemoryRegistry()))
    assert [k for k, _ in audit.kinds] == ["subject"]
    assert [w for w in audit.warnings if "not audited" in w] == [
        "broker settings not audited: environment 'local' has no kafka connection",
        "topics not audited: environment 'local' has no kafka connection",
        "replica placements not audited: environment 'local' has no reassign connection",
        *(
            f"{t} not audited: environment 'local' has no kafka connection"
            for t in ("SCRAM users", "ACL bindings")
        ),
    ]
