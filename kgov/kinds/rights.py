"""kgov's own rights: stop a plan that would be built on what kgov cannot see, or that kgov could
not apply, and say which operation on which resource its principal lacks.

A topic kgov may not DESCRIBE is missing from its metadata, exactly as if it did not exist; a plan
would then create it (and fail, or worse, in a cluster that auto-creates). So the catalog's topics
that the listing lacks are asked about by name (one batched request): a refusal stops the plan,
naming the operation and the topic. The topic kind checks it on the metadata it read anyway (the
listing, or in a scoped plan its topics' metadata by name): no Metadata request of its own.

The rights a planned change needs are checked once the diff is known: ALTER on the cluster for
ACL bindings and SCRAM users (from the one DescribeCluster kgov makes anyway), and on the topics a
plan updates or deletes, their authorized operations (one batched request, only when there are any).
A creation is not checked: Kafka cannot be asked about a topic that does not exist yet.

Shared by the topic, ACL, user, broker and quota kinds: here, not in one kind's package, so no kind
imports another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from kgov.bindings import CLUSTER_NAME
from kgov.cluster.kafka.access_port import HIDDEN, ClusterRights
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.errors import ClusterError

SHOWN = 5


def _names(names: Sequence[str]) -> str:
    more = f" (and {len(names) - SHOWN} more)" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def check_topics_visible(kafka: KafkaAdmin, names: Sequence[str], listed: Set[str]) -> None:
    """Stop if a topic of `names` missing from the metadata read (`listed`) is one kgov may not see."""
    missing = sorted(set(names) - listed)
    if not missing:
        return
    hidden = sorted(n for n, a in kafka.topic_access(missing).items() if a.state == HIDDEN)
    if hidden:
        raise ClusterError(
            f"kgov's principal {kafka.principal} may not DESCRIBE topic {_names(hidden)}: "
            "it cannot tell whether the topic exists, so it plans nothing",
            hint="grant kgov's principal DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, CREATE and ALTER on the "
            "topics it manages (or make it a super user)",
        )


def require_on_cluster(kafka: ClusterRights, operation: str, why: str) -> None:
    if operation not in kafka.cluster_operations():
        raise ClusterError(
            f"kgov's principal {kafka.principal} may not {operation} cluster {CLUSTER_NAME}, needed to {why}",
            hint=f"grant it: allow {operation} on cluster {CLUSTER_NAME} (or make it a super user)",
        )


def require_on_topics(kafka: KafkaAdmin, needs: Mapping[str, set[str]]) -> None:
    """`needs`: topic -> the operations the plan's changes to it need (ALTER, ALTER_CONFIGS, DELETE)."""
    if not needs:
        return
    access = kafka.topic_access(sorted(needs))
    lacking: dict[str, list[str]] = {}
    for name, ops in sorted(needs.items()):
        have = access.get(name)
        for op in sorted(ops):
            if have is None or op not in have.operations:
                lacking.setdefault(op, []).append(name)
    if lacking:
        said = "; ".join(f"{op} topic {_names(names)}" for op, names in sorted(lacking.items()))
        raise ClusterError(
            f"kgov's principal {kafka.principal} may not {said}: the plan's changes need it",
            hint="grant kgov's principal those operations on the topics it manages (or make it a super user)",
        )
