"""The topics the catalog wants in one environment: overrides applied, configs in Kafka's form."""

from __future__ import annotations

from kgov.catalog.model import Catalog, Environment
from kgov.errors import ConfigError
from kgov.kafka_configs import ConfigValueError, normalize
from kgov.state import TopicSpec


def desired_topics(catalog: Catalog, env: Environment) -> dict[str, TopicSpec]:
    ov = env.overrides
    topics: dict[str, TopicSpec] = {}
    for topic in catalog.topics():
        raw = {**topic.config, **ov.config}
        try:
            config = {key: normalize(key, value) for key, value in raw.items()}
        except ConfigValueError as exc:  # lint reports these with positions; plan refuses earlier
            raise ConfigError(f"topic {topic.name}: {exc}") from None
        topics[topic.name] = TopicSpec(
            topic.name,
            ov.partitions if ov.partitions is not None else topic.partitions,
            ov.replication_factor if ov.replication_factor is not None else topic.replication_factor,
            config,
        )
    return topics
