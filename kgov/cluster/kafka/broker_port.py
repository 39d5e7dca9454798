"""Broker settings through Kafka's admin API: the cluster-default resource and each broker's configs.

The broker-settings kind compares the dynamic overrides; the audit's governance findings read the
effective values (any source) of every broker. Both come from one read: one DescribeCluster for the
broker ids and one DescribeConfigs batch, whatever the number of brokers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kgov.cluster.kafka.port import ConfigOp, Outcome

DEFAULT = "default"  # the cluster-default resource (BROKER "") in ops and outcomes; a broker is str(id)


@dataclass(frozen=True)
class BrokerConfigValue:
    value: str | None  # None when sensitive (Kafka never returns it) or unset
    # Kafka's ConfigSource name: DYNAMIC_DEFAULT_BROKER_CONFIG, DYNAMIC_BROKER_CONFIG,
    # STATIC_BROKER_CONFIG, DEFAULT_CONFIG, DYNAMIC_BROKER_LOGGER_CONFIG, ...
    source: str
    sensitive: bool = False
    read_only: bool = False


@dataclass(frozen=True)
class BrokerConfigs:
    default: Mapping[str, BrokerConfigValue]  # the cluster-default resource: its dynamic defaults
    brokers: Mapping[int, Mapping[str, BrokerConfigValue]]  # each live broker: all its configs
    errors: Mapping[str, str]  # resource (DEFAULT or str(id)) -> the error Kafka answered


class BrokerConfigPort(Protocol):
    def broker_configs(self) -> BrokerConfigs:
        """One DescribeCluster (the broker ids) and one DescribeConfigs batch: the cluster default
        and every broker."""
        ...

    def alter_broker_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        """IncrementalAlterConfigs in one batch, keyed by DEFAULT or str(broker id); a None value
        deletes the override (back to the static or default value)."""
        ...
