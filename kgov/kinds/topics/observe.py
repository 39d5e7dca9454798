"""Read the topics a plan is about, in a fixed number of batched requests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kgov.cluster.kafka_port import KafkaAdmin
from kgov.errors import ClusterError
from kgov.kinds.topics.ownership import TopicScope
from kgov.state import TopicSpec


@dataclass(frozen=True)
class ObservedTopics:
    topics: Mapping[str, TopicSpec]  # in scope only; configs only for the catalog's topics

    def to_json(self) -> dict[str, list[object]]:
        return {
            name: [t.partitions, t.replication_factor, sorted(t.config.items())]
            for name, t in sorted(self.topics.items())
        }


def observe_topics(kafka: KafkaAdmin, scope: TopicScope) -> ObservedTopics:
    """One metadata request for all topics, then the explicit configs of the catalog's topics.

    Topics only inside an owned prefix (deletion candidates) need no configs: a delete does not
    depend on them. Protected topics are never read. A topic outside the scope that the broker
    cannot describe does not concern this plan; one inside it stops the plan.
    """
    named = frozenset(scope.names)
    listing = kafka.list_topics()
    broken = sorted((n, e) for n, e in listing.errors.items() if scope.covers(n, named))
    if broken:
        name, error = broken[0]
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        raise ClusterError(f"cannot describe topic {name}{more}: {error}")
    infos = [t for t in listing.topics if scope.covers(t.name, named)]
    configs = kafka.topic_configs([t.name for t in infos if t.name in named])
    return ObservedTopics(
        {
            t.name: TopicSpec(t.name, t.partitions, t.replication_factor, dict(configs.get(t.name, {})))
            for t in infos
        }
    )
