"""Concurrent registration: waves in reference order, the same requests as one at a time, and an
outcome for every entry when the registry fails mid-way."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kgov.cluster.memory.registry import MemoryRegistry
from kgov.cluster.registry.port import NewSchema, RegisteredSchema
from kgov.kinds.subjects.apply import waves
from kgov.schemas.references import Ref
from tests.unit.kinds.test_subjects import apply, cat, plan

T = TypeVar("T")


class Recording(MemoryRegistry):
    """Records registrations (start and end order, how many at once); fails after `fail_after`."""

    def __init__(self, concurrency: int, fail_after: int | None = None) -> None:
        super().__init__()
        self.concurrency = concurrency
        self.fail_after = fail_after
        self.began: list[str] = []
        self.ended: list[str] = []
        self.running = self.most = 0
        self.gate = threading.Lock()

    def register(self, schema: NewSchema) -> RegisteredSchema:
        return self._timed(schema, lambda: super(Recording, self).register(schema))

    def add_version(self, schema: NewSchema) -> int:
        return self._timed(schema, lambda: super(Recording, self).add_version(schema))

    def _timed(self, schema: NewSchema, call: Callable[[], T]) -> T:
        with self.gate:
            if self.fail_after is not None and len(self.began) >= self.fail_after:
                self.down = True
            self.began.append(schema.subject)
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.005)  # a registry's latency (outside the twin's lock): calls overlap
            return call()
        finally:
            with self.gate:
                self.running -= 1
                self.ended.append(schema.subject)


def record(name: str, *fields: tuple[str, str]) -> str:
    doc = {
        "type": "record",
        "name": name,
        "namespace": "t",
        "fields": [{"name": f, "type": t} for f, t in fields],
    }
    return json.dumps(doc)


def schemas() -> tuple[dict[str, str], dict[str, str]]:
    """40 subjects: a chain base <- mid <- top (top uses mid, mid uses base) and 37 independent ones;
    topic name -> value subject."""
    files = {
        "w.base-value": record("Base", ("id", "long")),
        "w.mid-value": record("Mid", ("base", "t.Base")),
        "w.top-value": record("Top", ("mid", "t.Mid"), ("base", "t.Base")),
    }
    files.update({f"w.e{i}-value": record(f"E{i}", ("n", "long")) for i in range(37)})
    return files, {s.removesuffix("-value"): s for s in files}


def test_waves_put_each_subject_after_those_it_references() -> None:
    refs = {
        "top": (Ref("M", "mid"), Ref("B", "base")),
        "mid": (Ref("B", "base"),),
        "x": (Ref("O", "outside"),),
    }
    assert waves(["base", "mid", "top", "x", "y"], refs) == [["base", "x", "y"], ["mid"], ["top"]]
    assert waves([], refs) == []


def test_concurrent_apply_respects_references_and_counts_the_same_requests() -> None:
    files, topics = schemas()
    serial, parallel = Recording(1), Recording(8)
    for reg in (serial, parallel):
        p = plan(cat(files, **topics), reg)
        assert len(p.entries) == 40
        assert set(apply(p, reg).values()) == {None}
        assert plan(cat(files, **topics), reg).entries == ()
    assert serial.most == 1 and parallel.most > 1
    ended, began = parallel.ended, parallel.began
    assert ended.index("w.base-value") < began.index("w.mid-value")
    assert ended.index("w.mid-value") < began.index("w.top-value")
    assert sorted(serial.calls) == sorted(parallel.calls)  # the same requests, in another order
    assert parallel.calls.count("register") == 40 and parallel.calls.count("set_level") == 40
    assert parallel.calls.count("lookup") == 2  # the version numbers of base and mid are pinned
    top = parallel.latest(["w.top-value"])["w.top-value"]
    assert top is not None and {(r.subject, r.version) for r in top.references} == {
        ("w.mid-value", 1),
        ("w.base-value", 1),
    }


def test_registry_down_mid_apply_gives_every_entry_an_outcome_then_rerun_converges() -> None:
    files, topics = schemas()
    reg = Recording(8, fail_after=12)
    p = plan(cat(files, **topics), reg)
    before = reg.requests
    results = apply(p, reg)
    assert set(results) == {e.address for e in p.entries}  # complete, keyed by address
    failed = {a for a, err in results.items() if err is not None}
    assert failed and all("unreachable" in (results[a] or "") for a in failed)
    done = {a for a, err in results.items() if err is None}
    assert len(done) <= 12
    # after the failure no new subject was tried: at most the registrations in flight then
    assert len(reg.began) <= 12 + 8
    assert reg.requests - before <= 3 * len(reg.began)
    reg.down, reg.fail_after = False, None
    assert set(apply(plan(cat(files, **topics), reg), reg).values()) == {None}
    assert plan(cat(files, **topics), reg).entries == ()


def test_registry_down_before_apply_fails_every_entry_with_one_request_per_wave_at_most() -> None:
    files, topics = schemas()
    reg = Recording(8)
    p = plan(cat(files, **topics), reg)
    reg.down = True
    before = reg.requests
    results = apply(p, reg)
    assert all(err is not None and "unreachable" in err for err in results.values())
    assert reg.requests - before <= 8  # the first wave's calls in flight, then nothing
