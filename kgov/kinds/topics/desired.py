"""The topics the catalog wants in one environment: overrides applied, configs in Kafka's form."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from types import MappingProxyType

from kgov.catalog.model import Catalog, Environment
from kgov.errors import ConfigError
from kgov.kafka_configs import ConfigValueError, normalize
from kgov.state import TopicSpec

# A scoped plan asks for the working tree's desired topics twice (to find what changed, then to plan
# it): the last answers are kept, by identity of the catalog and the environment (held here, so
# neither identity can be reused by another object while kept). Catalogs are never changed.
_recent: deque[tuple[Catalog, Environment, Mapping[str, TopicSpec]]] = deque(maxlen=2)


def desired_topics(catalog: Catalog, env: Environment) -> Mapping[str, TopicSpec]:
    for known, known_env, found in _recent:
        if known is catalog and known_env is env:
            return found
    found = MappingProxyType(_desired(catalog, env))
    _recent.append((catalog, env, found))
    return found


def _desired(catalog: Catalog, env: Environment) -> dict[str, TopicSpec]:
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
