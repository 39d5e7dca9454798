"""The replica kind in `kgov audit` on the in-memory twin (issue 20, point 4): under-replicated
partitions, replica counts other than the catalog's, reassignments in progress and leaders off their
preferred replica, each one finding per topic naming its partitions; a healthy cluster gives none;
the audit adds no request to what observe reads, whatever the number of topics; the findings reach
the JSON, Markdown and HTML through the generic renderers, names escaped."""

from __future__ import annotations

from typing import Any

from kgov.audit.build import audit_catalog, audit_cluster
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.kinds.replicas import ReplicaKind
from kgov.kinds.replicas.audit import spans
from kgov.render import audit_html, audit_markdown
from tests.unit.plan.helpers import ENV, catalog, topic

KIND = ReplicaKind()
NAME = "orders.created"


def _rf3(port: MemoryReplicas, name: str = NAME, partitions: int = 6) -> None:
    """Partition p on brokers p, p+1, p+2 (mod 3): every broker leads two of six."""
    port.add_topic(name, [[1 + (p + i) % 3 for i in range(3)] for p in range(partitions)])


def _audit(port: MemoryReplicas, rf: int = 3, *names: str) -> dict[str, Any]:
    topics = [topic(n, partitions=6, rf=rf) for n in (names or (NAME,))]
    return audit_cluster(catalog(*topics), ENV, Backends(reassign=port), kinds=(KIND,)).to_json()


def _found(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(v["rule"], v["name"], v["severity"]) for v in doc["violations"] if v["kind"] == "replicas"]


def _message(doc: dict[str, Any], rule: str, name: str = NAME) -> str:
    (message,) = [v["message"] for v in doc["violations"] if v["rule"] == rule and v["name"] == name]
    return str(message)


def test_a_healthy_cluster_gives_no_finding() -> None:
    port = MemoryReplicas(3)
    _rf3(port)
    _rf3(port, "stranger.topic")  # not in the catalog: checked too, and healthy
    doc = _audit(port)
    assert _found(doc) == [] and doc["drift"] == []


def test_partitions_out_of_sync_are_one_error_naming_them_and_the_broker() -> None:
    port = MemoryReplicas(3)
    _rf3(port)
    port.down.add(2)  # broker 2 stopped: out of every ISR, its partitions led by the next replica
    doc = _audit(port)
    # partitions 1 and 4, led by broker 2 (their first replica), are led by 3 now: no election can
    # move them back while 2 is out of sync, so this is no preferred-leader finding
    assert _found(doc) == [("under-replicated", NAME, "error")]
    assert _message(doc, "under-replicated") == (
        "6 of 6 partitions under-replicated (fewer in-sync replicas than replicas): partitions 0-5; "
        "broker 2 out of sync on partitions 0-5"
    )
    port.down.clear()  # back and in sync, still not leading until an election
    doc = _audit(port)
    assert _found(doc) == [("preferred-leader", NAME, "warning")]
    assert _message(doc, "preferred-leader") == (
        "partitions 1, 4 not led by their preferred replica (the first of their replicas): "
        "1 led by 3 (preferred 2), 4 led by 3 (preferred 2); a preferred leader election moves them back"
    )


def test_a_partition_without_leader_is_named_offline() -> None:
    port = MemoryReplicas(3)
    port.add_topic(NAME, [[1], [2], [3]])
    port.down.add(2)  # partition 1's only replica: no leader (Kafka's -1)
    doc = _audit(port, 1)
    assert _message(doc, "under-replicated") == (
        "1 of 3 partitions under-replicated (fewer in-sync replicas than replicas): partition 1; "
        "broker 2 out of sync on partition 1; no leader (offline) on partition 1"
    )


def test_a_replica_count_other_than_the_catalogs_is_a_warning_and_the_plans_drift() -> None:
    port = MemoryReplicas(3)
    _rf3(port)
    doc = _audit(port, 2)
    assert _found(doc) == [("replica-count", NAME, "warning")]
    assert _message(doc, "replica-count") == (
        "partitions 0-5 have 3 replicas; the catalog asks for replication_factor 2 (drift: the plan "
        "carries it out by a reassignment, or says why it cannot yet)"
    )
    assert [(e["name"], e["action"]) for e in doc["drift"]] == [(NAME, "reassign")]


def test_one_partition_with_another_count_is_named_alone() -> None:
    port = MemoryReplicas(3)
    _rf3(port)
    port.partitions[(NAME, 3)].replicas = [1, 2]
    doc = _audit(port)
    assert _message(doc, "replica-count").startswith(
        "partition 3 has 2 replicas; the catalog asks for replication_factor 3"
    )


def test_an_unmanaged_topic_is_checked_for_health_but_has_no_count_to_compare() -> None:
    port = MemoryReplicas(3)
    _rf3(port)
    port.add_topic("legacy.x", [[1, 2], [2, 3, 1]])  # two counts: no catalog factor to say which is right
    port.partitions[("legacy.x", 0)].leader = 2
    doc = _audit(port)
    assert _found(doc) == [("preferred-leader", "legacy.x", "warning")]


def test_a_reassignment_in_progress_is_info_and_not_counted_as_under_replicated() -> None:
    port = MemoryReplicas(3)
    port.add_topic(NAME, [[1 + p % 3] for p in range(6)], size=2**20)
    targets = {(NAME, p): [1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3] for p in (0, 3, 5)}
    assert set(port.alter_partition_reassignments(targets).values()) == {None}
    port.progress((NAME, 0), 2**19)  # half of partition 0 copied to each adding replica
    doc = _audit(port, 3)
    # in progress only: the adding replicas are not "out of sync", the moving count is not drift
    # (partitions 1, 2 and 4 still at one replica are: the plan waits on the move, see diff.py)
    assert ("under-replicated", NAME, "error") not in _found(doc)
    assert ("reassignment-in-progress", NAME, "info") in _found(doc)
    assert _message(doc, "reassignment-in-progress") == (
        "a reassignment is in progress on partitions 0, 3, 5: partitions 0, 3 adding brokers 2, 3; "
        "partition 5 adding brokers 1, 2; 1.0 MiB of 6.0 MiB copied"
    )
    assert _message(doc, "replica-count").startswith("partitions 1, 2, 4 have 1 replica;")


def test_someone_elses_move_of_an_unmanaged_topic_is_reported_without_sizes() -> None:
    port = MemoryReplicas(3)
    port.add_topic("legacy.x", [[1, 2]])
    port.alter_partition_reassignments({("legacy.x", 0): [1, 3]})
    doc = _audit(port)
    assert _found(doc) == [("reassignment-in-progress", "legacy.x", "info")]
    assert _message(doc, "reassignment-in-progress", "legacy.x") == (
        "a reassignment is in progress on partition 0: partition 0 adding broker 3 and removing broker 2"
    )


def test_without_describe_on_the_cluster_the_audit_says_moves_are_unknown() -> None:
    port = MemoryReplicas(3)
    _rf3(port)
    port.refuse_describe = True
    doc = _audit(port)
    assert _found(doc) == [("reassignments-unread", "kafka-cluster", "warning")]
    assert "may not DESCRIBE the cluster" in _message(doc, "reassignments-unread", "kafka-cluster")


def test_findings_are_listed_errors_first() -> None:
    port = MemoryReplicas(3)
    _rf3(port, "a.first")
    _rf3(port, "b.second")
    port.partitions[("a.first", 0)].leader = 2
    port.partitions[("b.second", 1)].replicas = [2, 3]
    port.down.add(3)
    doc = _audit(port, 3, "a.first", "b.second")
    assert _found(doc) == [
        ("under-replicated", "a.first", "error"),
        ("under-replicated", "b.second", "error"),
        ("preferred-leader", "a.first", "warning"),
        ("replica-count", "b.second", "warning"),
    ]


def _requests(topics: int) -> list[str]:
    port = MemoryReplicas(3)
    for t in range(topics):
        _rf3(port, f"orders.t{t}")
        port.partitions[(f"orders.t{t}", 0)].leader = 2  # a finding on every topic
    port.add_topic("moving.x", [[1]], size=100)
    port.alter_partition_reassignments({("moving.x", 0): [1, 2]})
    port.requests.clear()
    names = [f"orders.t{t}" for t in range(topics)] + ["moving.x"]
    doc = _audit(port, 3, *names)
    assert len(_found(doc)) == topics + 1  # each topic's leader, and the move
    return port.requests


def test_the_audit_adds_no_request_and_its_count_does_not_grow_with_topics() -> None:
    """What observe reads and nothing per topic: one metadata request (replicas, ISR and leaders of
    every partition), one listing of the reassignments, then the moving topic's sizes (one
    DescribeLogDirs per broker)."""
    ten, hundred = _requests(10), _requests(100)
    assert ten == hundred
    assert ten.count("metadata") == 1 and ten.count("list_partition_reassignments") == 1
    assert ten.count("describe_log_dirs") == 3


def test_catalog_only_reads_nothing_and_finds_nothing() -> None:
    doc = audit_catalog(catalog(topic(NAME, partitions=6)), ENV, kinds=(KIND,)).to_json()
    assert doc["violations"] == []


def test_the_findings_reach_json_markdown_and_html_escaped_with_every_kind() -> None:
    """With the registry's kinds, the topic kind's checks first; a name with odd characters (the
    twin takes what Kafka would refuse) escaped by the renderers as every name is."""
    odd = "legacy|x<b>&`"
    kafka = MemoryCluster()
    kafka.add_topic(NAME, 6, 3, **{"min.insync.replicas": "2"})
    port = MemoryReplicas(3)
    _rf3(port)
    port.add_topic(odd, [[1, 2]])
    port.partitions[(odd, 0)].leader = 2
    port.partitions[(NAME, 0)].leader = 3
    cat = catalog(topic(NAME, partitions=6, rf=3, min_insync_replicas="2"))
    doc = audit_cluster(cat, ENV, Backends(kafka=kafka, reassign=port), kinds=KINDS).to_json()
    assert doc["kinds"]["replicas"] == "replica placements"
    assert {(v["rule"], v["name"], v["severity"]) for v in doc["violations"] if v["kind"] == "replicas"} == {
        ("preferred-leader", NAME, "warning"),
        ("preferred-leader", odd, "warning"),
    }
    assert doc["summary"]["violations"] == len(doc["violations"])

    markdown = audit_markdown.render(doc)
    assert "| rule | resource | finding | severity |" in markdown
    assert (
        "| preferred\\-leader | <code>orders\\.created</code> | partition 0 not led by its preferred "
        "replica \\(the first of its replicas\\): 0 led by 3 \\(preferred 1\\); a preferred leader "
        "election moves it back | warning |" in markdown
    )
    assert "legacy|x<b>" not in markdown and "<code>legacy\\|x&lt;b&gt;&amp;\\`</code>" in markdown
    page = audit_html.render(doc)
    assert f"<td>preferred-leader<td>{NAME}<td>partition 0 not led by its preferred replica" in page
    assert "<td>warning" in page
    assert "legacy|x&lt;b&gt;&amp;`" in page and "x<b>" not in page


def test_a_large_topic_keeps_its_findings_short() -> None:
    """Fifty partitions or ranges listed, then how many more; the facts of ten partitions or moves."""
    port = MemoryReplicas(30)
    port.add_topic(NAME, [[1 + p % 30, 1 + (p + 1) % 30] for p in range(1000)])
    for p in range(0, 1000, 2):
        port.partitions[(NAME, p)].leader = port.partitions[(NAME, p)].replicas[1]
    targets = {(NAME, p): [1 + (p + 2) % 30, 1 + (p + 3) % 30] for p in range(1, 1000, 2)}
    port.alter_partition_reassignments(targets)
    doc = _audit(port, 2)
    leader = _message(doc, "preferred-leader")
    assert leader.startswith("partitions 0, 2, 4, ") and ", 98 and 450 more not led by their" in leader
    assert leader.endswith("and 490 more; a preferred leader election moves them back") and len(leader) < 1000
    moving = _message(doc, "reassignment-in-progress")
    assert moving.endswith("; and 5 other moves") and moving.count("adding") == 10 and len(moving) < 6000


def test_spans_shorten_runs_and_say_how_many_are_left_out() -> None:
    assert spans([5, 0, 1, 2, 3, 7, 8]) == "0-3, 5, 7, 8"
    assert spans([4]) == "4" and spans([]) == ""
    assert spans([0, 1, 2, 5, 7, 9, 10, 11, 12], most=2) == "0-2, 5 and 5 more"
