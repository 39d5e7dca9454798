"""From a catalog and an environment name to the desired state of that environment.

Overrides are applied and config values normalised to Kafka's form here. Secret references
(`${env:NAME}`, `${file:PATH}`) stay references until a connection is made (`kgov.secrets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kgov.catalog.model import Catalog, Environment
from kgov.errors import ConfigError
from kgov.kafka_configs import ConfigValueError, normalize


@dataclass(frozen=True)
class DesiredTopic:
    name: str
    service: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str] = field(default_factory=dict)  # Kafka's form, explicit overrides only


@dataclass(frozen=True)
class DesiredState:
    environment: Environment
    topics: Mapping[str, DesiredTopic]
    services: tuple[str, ...]

    @property
    def owned_prefixes(self) -> tuple[str, ...]:
        return tuple(f"{s}." for s in self.services)


def environment(catalog: Catalog, name: str) -> Environment:
    envs = catalog.settings.environments
    if name not in envs:
        known = ", ".join(sorted(envs)) or "none"
        raise ConfigError(f"unknown environment '{name}' (kgov.yaml defines: {known})")
    return envs[name]


def desired_state(catalog: Catalog, env_name: str) -> DesiredState:
    env = environment(catalog, env_name)
    ov = env.overrides
    topics: dict[str, DesiredTopic] = {}
    for topic in catalog.topics():
        raw = {**topic.config, **ov.config}
        try:
            config = {key: normalize(key, value) for key, value in raw.items()}
        except ConfigValueError as exc:  # lint reports these with positions; plan refuses earlier
            raise ConfigError(f"topic {topic.name}: {exc}") from None
        topics[topic.name] = DesiredTopic(
            topic.name,
            topic.service,
            ov.partitions if ov.partitions is not None else topic.partitions,
            ov.replication_factor if ov.replication_factor is not None else topic.replication_factor,
            config,
        )
    return DesiredState(env, topics, catalog.services())
