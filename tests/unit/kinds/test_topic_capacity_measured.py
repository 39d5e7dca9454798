"""Storage at retention of changed topics bounded by time only: the measured write rate x retention.ms
x replication factor, read in a fixed number of requests (issue 22 part 2; docs/capacity.md)."""

from __future__ import annotations

from dataclasses import replace

from kgov.catalog.model import Capacity, Catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.kinds.topics.capacity import Measured, storage
from kgov.plan.model import EVIDENCE, Plan
from tests.unit.plan.helpers import catalog, topic

GIB = 2**30
DAY = 86_400_000
NOW = 1_800_000_000_000
WEEK = str(7 * DAY)


def _cluster(names: list[str], span_ms: int = DAY, size: int = GIB) -> tuple[MemoryCluster, MemoryReplicas]:
    """Topics of 3 partitions x RF 3 under retention.ms 7d, each replica holding `size` bytes written
    over `span_ms`."""
    cluster = MemoryCluster()
    port = MemoryReplicas({1: None, 2: None, 3: None})
    for name in names:
        cluster.add_topic(name, 3, 3, **{"retention.ms": WEEK})
        port.add_topic(name, [[1, 2, 3], [2, 3, 1], [3, 1, 2]], size=size)
        for p in range(3):
            cluster.produce(name, 100, p, at_ms=NOW, first_ms=NOW - span_ms)
    return cluster, port


def _catalog(names: list[str], retention_ms: str, partitions: int = 3, **capacity: object) -> Catalog:
    cat = catalog(*(topic(n, partitions, 3, retention_ms=retention_ms) for n in names))
    if capacity:
        policy = replace(cat.settings.policy, capacity=Capacity(**capacity))  # type: ignore[arg-type]
        cat = replace(cat, settings=replace(cat.settings, policy=policy))
    return cat


def _plan(cat: Catalog, cluster: MemoryCluster, port: MemoryReplicas | None) -> Plan:
    return make_plan(cat, "test", Backends(kafka=cluster, reassign=port), allow_delete=False)


def _entry(p: Plan, name: str) -> dict[str, object]:
    (found,) = [e for e in p.to_json()["resource_changes"] if e["name"] == name]  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def test_a_longer_retention_ms_is_sized_from_the_measured_write_rate() -> None:
    cluster, port = _cluster(["orders.events"])
    p = _plan(_catalog(["orders.events"], str(14 * DAY)), cluster, port)
    entry = _entry(p, "orders.events")
    assert entry["action"] == "update"
    # 3 partitions x 1 GiB per replica written in a day: 3 GiB/day; x 14d x RF 3
    assert entry["notes"][-1] == (  # type: ignore[index]
        f"{EVIDENCE}storage at retention, measured: write rate ≈3.0 GiB/day per replica (3.0 GiB over "
        "1.0d of records) x retention.ms 14d x RF 3 = 126.0 GiB"
    )
    assert p.capacity is not None
    assert (p.capacity["bytes"], p.capacity["unsized"]) == (63 * GIB, [])  # 126 - 63 GiB
    assert "+≈63.0 GiB at retention" in p.capacity["line"]  # type: ignore[operator]


def test_a_log_that_already_spans_its_retention_is_its_size_on_disk() -> None:
    cluster, port = _cluster(["orders.events"], span_ms=8 * DAY)
    p = _plan(_catalog(["orders.events"], WEEK, partitions=6), cluster, port)
    assert _entry(p, "orders.events")["notes"][-1] == (  # type: ignore[index]
        f"{EVIDENCE}storage at retention, measured: its log already spans retention.ms 7d: "
        "3.0 GiB per replica x RF 3 = 9.0 GiB"
    )
    # more partitions share the same writes: the storage stays; the replicas grow
    assert p.capacity is not None and (p.capacity["partitions"], p.capacity["bytes"]) == (9, 0)
    assert p.capacity["unsized"] == []


def test_the_reads_do_not_grow_with_the_topics() -> None:
    def asked(count: int) -> list[str]:
        names = [f"orders.t{i}" for i in range(count)]
        cluster, port = _cluster(names)
        cluster.requests.clear()
        port.requests.clear()
        p = _plan(_catalog(names, str(14 * DAY)), cluster, port)
        assert p.capacity is not None and p.capacity["unsized"] == []
        reads = [r for r in cluster.requests if r.startswith("list_offsets")]
        return sorted(reads + [r for r in port.requests if r.startswith("describe_log_dirs")])

    one = asked(1)
    assert one == asked(40)
    assert one == sorted(
        ["describe_log_dirs"] * 3 + ["list_offsets_for_timestamp", "list_offsets_max_timestamp"]
    )


def test_nothing_is_read_when_no_changed_topic_needs_it() -> None:
    cluster, port = _cluster(["orders.events"])
    cluster.requests.clear()
    port.requests.clear()
    cat = catalog(
        topic("orders.events", 3, 3, retention_ms=WEEK, compression_type="zstd"), topic("orders.new")
    )
    p = _plan(cat, cluster, port)
    assert _entry(p, "orders.events")["action"] == "update"
    assert not [r for r in cluster.requests if r.startswith("list_offsets")]
    assert "describe_log_dirs" not in port.requests


def test_without_a_span_or_the_replica_port_the_topic_stays_unsized() -> None:
    cluster, port = _cluster(["orders.events"], span_ms=0)  # every record at one instant
    p = _plan(_catalog(["orders.events"], str(14 * DAY)), cluster, port)
    assert p.capacity is not None and p.capacity["unsized"] == ["orders.events"]
    assert not any(n.startswith(EVIDENCE) for n in _entry(p, "orders.events")["notes"])  # type: ignore[attr-defined]
    cluster, _ = _cluster(["orders.events"])
    p = _plan(_catalog(["orders.events"], str(14 * DAY)), cluster, None)
    assert p.capacity is not None and p.capacity["unsized"] == ["orders.events"]


def test_the_byte_threshold_marks_or_blocks_a_measured_topic() -> None:
    cluster, port = _cluster(["orders.events"])
    marked = _plan(
        _catalog(["orders.events"], str(14 * DAY), max_bytes_at_retention=100 * GIB), cluster, port
    )
    note = _entry(marked, "orders.events")["notes"][-1]  # type: ignore[index]
    assert note.endswith(  # type: ignore[union-attr]
        "; attention: storage at retention 126.0 GiB is above "
        "policy.capacity.max_bytes_at_retention (100.0 GiB)"
    )
    blocked = _plan(
        _catalog(["orders.events"], str(14 * DAY), max_bytes_at_retention=100 * GIB, on_exceed="block"),
        cluster,
        port,
    )
    entry = _entry(blocked, "orders.events")
    assert entry["action"] == "blocked"
    assert str(entry["reason"]).startswith("storage at retention 126.0 GiB is above")


def test_the_measured_sizes_are_not_in_the_fingerprint() -> None:
    cluster, port = _cluster(["orders.events"])
    cat = _catalog(["orders.events"], str(14 * DAY))
    first = _plan(cat, cluster, port)
    cluster.produce("orders.events", 100, 0, at_ms=NOW + DAY)  # the next write changes the rate
    again = _plan(cat, cluster, port)
    assert _entry(first, "orders.events")["notes"] != _entry(again, "orders.events")["notes"]
    assert first.fingerprint == again.fingerprint


def test_measured_storage_arithmetic() -> None:
    m = Measured(((GIB, DAY), (0, DAY)), retention=7 * DAY)
    assert m.per_replica(7 * DAY) == 7 * GIB and not m.covers(7 * DAY)
    full = Measured(((GIB, 8 * DAY),), retention=7 * DAY)
    assert full.covers(7 * DAY) and full.per_replica(7 * DAY) == GIB
    assert full.per_replica(4 * DAY) == GIB // 2  # a shorter retention keeps half of 8 days' writes
    before = {"partitions": 1, "replication_factor": 1, "config": {"retention.ms": str(7 * DAY)}}
    after = {"partitions": 1, "replication_factor": 3, "config": {"retention.ms": str(7 * DAY)}}
    s = storage("t", before, after, full)
    assert (s.bytes_before, s.bytes_after, s.bytes_added) == (GIB, 3 * GIB, 2 * GIB)
