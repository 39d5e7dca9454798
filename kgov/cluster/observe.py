"""Read the part of the cluster a plan is about, in a fixed number of batched requests."""

from __future__ import annotations

from kgov.cluster.port import ClusterReader, ObservedState, ObservedTopic
from kgov.plan.model import Scope
from kgov.plan.ownership import in_scope


def observe(reader: ClusterReader, scope: Scope) -> ObservedState:
    """One metadata request for all topics, then the explicit configs of the catalog's topics.

    Topics only inside an owned prefix (deletion candidates) need no configs: a delete does not
    depend on them. Protected topics are never read.
    """
    named = frozenset(scope.topics)
    infos = [t for t in reader.list_topics() if in_scope(t.name, scope, named)]
    configs = reader.topic_configs([t.name for t in infos if t.name in named])
    return ObservedState(
        {
            t.name: ObservedTopic(t.name, t.partitions, t.replication_factor, configs.get(t.name, {}))
            for t in infos
        }
    )
