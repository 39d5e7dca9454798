"""kgov's own rights: stop a plan that would be built on what kgov cannot see.

A topic kgov may not DESCRIBE is missing from its metadata, exactly as if it did not exist; a plan
would then create it (and fail, or worse, in a cluster that auto-creates). So the catalog's topics
that the listing lacks are asked about by name (one batched request): a refusal stops the plan,
naming the operation and the topic. Within a plan the listing is the topic kind's (the port is
kgov.plan.reads.ReadOnce): the check costs no Metadata request of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgov.cluster.access_port import HIDDEN
from kgov.cluster.kafka_port import KafkaAdmin
from kgov.errors import ClusterError

SHOWN = 5


def check_topics_visible(kafka: KafkaAdmin, names: Sequence[str]) -> None:
    listed = {t.name for t in kafka.list_topics().topics}
    missing = sorted(set(names) - listed)
    if not missing:
        return
    hidden = sorted(n for n, a in kafka.topic_access(missing).items() if a.state == HIDDEN)
    if hidden:
        more = f" (and {len(hidden) - SHOWN} more)" if len(hidden) > SHOWN else ""
        raise ClusterError(
            f"kgov's principal lacks DESCRIBE on topic {', '.join(hidden[:SHOWN])}{more}: "
            "it cannot tell whether the topic exists, so it plans nothing",
            hint="grant kgov's principal DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, CREATE and ALTER on the "
            "topics it manages (or make it a super user)",
        )
