"""Kinds observe at the same time, and the admin port sends independent read batches at once."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

import pytest

from kgov.catalog.model import Catalog, Environment
from kgov.cluster.connect import KafkaSettings
from kgov.cluster.kafka import BATCH, KafkaCluster
from kgov.cluster.memory import MemoryCluster
from kgov.errors import ClusterError
from kgov.kinds import KINDS
from kgov.kinds.base import PHASE_GRANTS, DiffContext
from kgov.plan.model import JSON, Entry
from tests.unit.plan.helpers import catalog, plan, topic


class WaitingKind:
    """Observes only once every other WaitingKind has started observing too (or fails after 5 s)."""

    title = "waiters"
    backend = "kafka"
    order: Mapping[str, int] = {"create": PHASE_GRANTS}

    def __init__(self, name: str, barrier: threading.Barrier, fail: bool = False) -> None:
        self.name = name
        self.barrier = barrier
        self.fail = fail

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, int]:
        return {}

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        return {}

    def observe(self, backend: Any, scope: JSON) -> str:
        self.barrier.wait()  # BrokenBarrierError if the kinds were observed one after the other
        if self.fail:
            raise ClusterError(f"{self.name} cannot be read")
        return self.name

    def state_json(self, observed: str) -> JSON:
        return observed

    def diff(
        self, desired: Mapping[str, Any], observed: str, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        return [], [f"{self.name} saw {observed}"]

    def apply(self, backend: Any, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        return {}

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        return scope

    def visible(self, entry: Entry, observed: str) -> bool:
        return True


def test_kinds_are_observed_at_the_same_time_and_diffed_in_the_registrys_order() -> None:
    barrier = threading.Barrier(2, timeout=5)
    kinds = (*KINDS, WaitingKind("first", barrier), WaitingKind("second", barrier))
    p = plan(catalog(topic("orders.created")), MemoryCluster(), kinds=kinds)
    assert p.warnings == ("first saw first", "second saw second")
    assert [e.address for e in p.entries] == ["topic.orders.created"]


def test_when_several_kinds_fail_the_first_in_the_registrys_order_is_reported() -> None:
    barrier = threading.Barrier(2, timeout=5)
    kinds = (WaitingKind("first", barrier, fail=True), WaitingKind("second", barrier, fail=True))
    with pytest.raises(ClusterError, match=r"^first cannot be read$"):
        plan(catalog(), MemoryCluster(), kinds=kinds)


def test_read_batches_are_all_sent_before_any_answer_is_awaited() -> None:
    cluster = KafkaCluster(KafkaSettings("127.0.0.1:1", 1.0, {"bootstrap.servers": "127.0.0.1:1"}))
    events: list[str] = []

    class Answer(Future[Any]):
        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label
            self.set_result(label)

        def result(self, timeout: float | None = None) -> Any:
            events.append(f"wait {self.label}")
            return super().result(timeout)

    def send(chunk: Sequence[str]) -> Mapping[str, Future[Any]]:
        events.append(f"send {chunk[0]}")
        return {chunk[0]: Answer(chunk[0])}

    names = [f"t{i}" for i in range(2 * BATCH + 1)]
    cluster._batched("describe_configs", names, send, together=True)
    assert events == [
        "send t0",
        f"send t{BATCH}",
        f"send t{2 * BATCH}",
        "wait t0",
        f"wait t{BATCH}",
        f"wait t{2 * BATCH}",
    ]
    assert cluster.requests["describe_configs"] == 3
    events.clear()
    cluster._batched("create_topics", names, send)  # writes: one batch answered before the next
    assert events == [
        "send t0",
        "wait t0",
        f"send t{BATCH}",
        f"wait t{BATCH}",
        f"send t{2 * BATCH}",
        f"wait t{2 * BATCH}",
    ]
