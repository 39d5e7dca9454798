"""Read the topics a plan is about, in a fixed number of batched requests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kgov.cluster.kafka.port import KafkaAdmin
from kgov.errors import ClusterError
from kgov.kinds.ownership import TopicScope
from kgov.kinds.rights import check_topics_visible
from kgov.state import TopicListing, TopicSpec


@dataclass(frozen=True)
class ObservedTopics:
    topics: Mapping[str, TopicSpec]  # in scope only; configs only for the catalog's topics
    unreadable: Mapping[str, str] = field(
        default_factory=dict
    )  # owned-prefix topics the broker would not describe
    # per broker id, the replicas it holds (full listings only), for the plan's capacity; not part
    # of the state (to_json): a topic of another team must not make a saved plan stale
    broker_replicas: Mapping[int, int] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, object]:
        return {
            "topics": {
                name: [t.partitions, t.replication_factor, sorted(t.config.items())]
                for name, t in sorted(self.topics.items())
            },
            "unreadable": dict(sorted(self.unreadable.items())),
        }


def observe_topics(kafka: KafkaAdmin, scope: TopicScope) -> ObservedTopics:
    """One metadata request for all topics (for an exact scope, the named ones only), then the
    explicit configs of the catalog's topics. A named topic missing from the metadata is asked
    about by name: one kgov may not see stops the plan (a plan would otherwise create it).

    Topics only inside an owned prefix (deletion candidates) need no configs: a delete does not
    depend on them. Protected topics are never read. A topic the broker cannot describe stops the
    plan when the catalog names it, is a warning when it is only in an owned prefix, and does not
    concern the plan otherwise.
    """
    named = frozenset(scope.names)
    if scope.exact:
        listing = kafka.describe_topics(scope.names) if scope.names else TopicListing((), {})
    else:
        listing = kafka.list_topics()
    if not scope.watch:  # apply's watch expects its creations to be missing until they show
        check_topics_visible(kafka, scope.names, {t.name for t in listing.topics})
    broken = sorted((n, e) for n, e in listing.errors.items() if n in named and scope.covers(n, named))
    if broken:
        name, error = broken[0]
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        raise ClusterError(f"cannot describe topic {name}{more}: {error}")
    infos = [t for t in listing.topics if scope.covers(t.name, named)]
    bare = frozenset(scope.unconfigured)
    configs = kafka.topic_configs([t.name for t in infos if t.name in named and t.name not in bare])
    unreadable = {n: e for n, e in listing.errors.items() if n not in named and scope.covers(n, named)}
    return ObservedTopics(
        {
            t.name: TopicSpec(t.name, t.partitions, t.replication_factor, dict(configs.get(t.name, {})))
            for t in infos
        },
        unreadable,
        listing.broker_replicas,
    )
