"""State shared by the catalog side and the cluster side: what a resource is, wanted or seen.

Neutral ground: it imports nothing of kgov, so the catalog, the cluster adapters and the kinds can
all use it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TopicSpec:
    """A topic as kgov compares it: wanted (from the catalog, after overrides), seen (on the cluster)
    or to create. `config` holds explicit overrides only, in Kafka's form."""

    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TopicListing:
    """One metadata request's answer: every topic it could describe, and the error of each it could not."""

    topics: tuple[TopicSpec, ...]  # config is empty: metadata carries none
    errors: Mapping[str, str] = field(default_factory=dict)
    # per broker id, the partition replicas it holds, from the same answer (every topic, internal
    # ones too); empty when the answer named only some topics (describe_topics)
    broker_replicas: Mapping[int, int] = field(default_factory=dict)
