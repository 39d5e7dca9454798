"""The in-memory twin of the reassignment port behaves as Kafka does (the answers the real adapter
was seen to give on the three-broker sandbox, tests/integration/test_reassign_port.py)."""

from __future__ import annotations

from kgov.cluster.kafka.reassign_port import Broker, Reassignment, ReassignPort
from kgov.cluster.memory.reassign import MemoryReassign


def test_a_reassignment_runs_until_the_cluster_completes_it() -> None:
    cluster = MemoryReassign({1: "r0", 2: "r1", 3: "r2"})
    port: ReassignPort = cluster  # the twin implements the port
    cluster.add_topic("t", [[1], [2]], size=1000)
    assert port.describe_brokers() == [Broker(1, "r0"), Broker(2, "r1"), Broker(3, "r2")]
    assert port.alter_partition_reassignments({("t", 0): [1, 2, 3], ("t", 1): [2, 3, 1]}) == {
        ("t", 0): None,
        ("t", 1): None,
    }
    assert port.list_partition_reassignments() == [
        Reassignment("t", 0, (1, 2, 3), (2, 3), ()),
        Reassignment("t", 1, (2, 3, 1), (3, 1), ()),
    ]
    cluster.progress(("t", 0), 400)
    sizes = port.describe_log_dirs([("t", 0)])
    assert sizes.sizes == {("t", 0): {1: 1000, 2: 400, 3: 400}}
    assert sizes.total(("t", 0)) == 1000
    cluster.complete()
    assert port.list_partition_reassignments() == []
    assert cluster.replicas(("t", 1)) == [2, 3, 1]
    assert cluster.requests.count("alter_partition_reassignments") == 1


def test_a_decrease_lists_the_leaving_replicas_and_moves_a_leader_that_leaves() -> None:
    cluster = MemoryReassign(3)
    cluster.add_topic("t", [[3, 1, 2]])
    cluster.alter_partition_reassignments({("t", 0): [1, 2]})
    (running,) = cluster.list_partition_reassignments([("t", 0)])
    assert running == Reassignment("t", 0, (1, 2, 3), (), (3,))
    assert running.target == (1, 2)
    cluster.complete(("t", 0))
    assert cluster.leader(("t", 0)) == 1


def test_errors_and_cancel() -> None:
    cluster = MemoryReassign(3)
    cluster.add_topic("t", [[1]])
    out = cluster.alter_partition_reassignments({("t", 0): [1, 9], ("nope", 0): [1], ("t", 1): None})
    assert out[("t", 0)] is not None and out[("t", 0)].startswith("INVALID_REPLICA_ASSIGNMENT")
    assert out[("nope", 0)] is not None and out[("nope", 0)].startswith("UNKNOWN_TOPIC_OR_PARTITION")
    cluster.alter_partition_reassignments({("t", 0): [1, 2]})
    assert cluster.alter_partition_reassignments({("t", 0): None}) == {("t", 0): None}
    assert cluster.list_partition_reassignments() == []
    out = cluster.alter_partition_reassignments({("t", 0): None})
    assert out[("t", 0)] is not None and out[("t", 0)].startswith("NO_REASSIGNMENT_IN_PROGRESS")


def test_elect_leaders_puts_the_preferred_replica_back() -> None:
    cluster = MemoryReassign(3)
    cluster.add_topic("t", [[1, 2, 3]])
    cluster.partitions[("t", 0)].leader = 2
    assert cluster.elect_leaders([("t", 0)]) == {("t", 0): None}
    assert cluster.leader(("t", 0)) == 1
    cluster.down.add(1)
    out = cluster.elect_leaders([("t", 0)])
    assert out[("t", 0)] is not None and out[("t", 0)].startswith("PREFERRED_LEADER_NOT_AVAILABLE")
    assert [b.id for b in cluster.describe_brokers()] == [2, 3]
