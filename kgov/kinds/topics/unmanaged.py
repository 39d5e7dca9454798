"""Topics on the cluster that the catalog does not declare and kgov does not protect (for audit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kgov.cluster.kafka.port import KafkaAdmin
from kgov.kinds.base import DiffContext, Unmanaged
from kgov.kinds.ownership import is_protected, protected_patterns


def unmanaged_topics(kafka: KafkaAdmin, desired: Mapping[str, Any], ctx: DiffContext) -> list[Unmanaged]:
    """One listing (the one observe made, when the port caches it) and one batched config read."""
    protected = protected_patterns(ctx.settings.ownership.protected)
    listing = kafka.list_topics()
    found = [t for t in listing.topics if t.name not in desired and not is_protected(t.name, protected)]
    configs = kafka.topic_configs([t.name for t in found]) if found else {}
    return [
        Unmanaged(
            "topic",
            t.name,
            t.name,
            {
                "partitions": t.partitions,
                "replication_factor": t.replication_factor,
                "config": dict(sorted(configs.get(t.name, {}).items())),
            },
        )
        for t in sorted(found, key=lambda t: t.name)
    ]
