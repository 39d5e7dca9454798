"""Broker settings through Kafka's admin API: the cluster-default resource and each broker's configs.

The broker-settings kind compares the dynamic overrides; the audit's governance findings read the
effective values (any source) of every broker. Both come from one read: one DescribeCluster for the
broker ids, one DescribeConfigs for the cluster default and one per broker, sent at once.

The replica kind reads the named brokers' configs alone (`broker_configs_of`: no DescribeCluster, no
cluster default) for the throttle rates left on them; in one plan the two reads share their
per-broker answers (kgov/engine/reads.py PARTS): whichever comes first reads a broker, the other is
answered from it, and `broker_configs(known)` reads only the brokers `known` does not answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kgov.cluster.kafka.port import ConfigOp, Outcome
from kgov.errors import ClusterError

DEFAULT = "default"  # the cluster-default resource (BROKER "") in ops and outcomes; a broker is str(id)
DYNAMIC_BROKER = "DYNAMIC_BROKER_CONFIG"  # Kafka's ConfigSource of a broker's own dynamic override


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

    # -- the per-broker parts, shared by the plan's reads (kgov/engine/reads.py PARTS) ----------
    def answers(self, broker: int) -> bool:
        """Whether this read holds the broker's configs or the error Kafka answered for it."""
        return broker in self.brokers or str(broker) in self.errors

    def only(self, brokers: Sequence[int]) -> BrokerConfigs:
        """The named brokers' answers and errors, in the order named (the cluster default left out)."""
        return BrokerConfigs(
            {},
            {b: self.brokers[b] for b in brokers if b in self.brokers},
            {str(b): self.errors[str(b)] for b in brokers if str(b) in self.errors},
        )

    def merged(self, later: BrokerConfigs) -> BrokerConfigs:
        """This read's brokers with a later read's (the cluster default: the later read's)."""
        brokers = {**self.brokers, **later.brokers}
        return BrokerConfigs(later.default, brokers, {**self.errors, **later.errors})


def dynamic_of(read: BrokerConfigs, brokers: Sequence[int]) -> dict[int, dict[str, str]]:
    """The named brokers' own dynamic configs (source DYNAMIC_BROKER_CONFIG, sensitive ones left
    out: Kafka never returns their value), in broker order; the first broker (by id) Kafka answered
    with an error raises it, as a read of one broker after another did."""
    out: dict[int, dict[str, str]] = {}
    for broker in sorted(set(brokers)):
        error = read.errors.get(str(broker))
        if error is not None:
            raise ClusterError(f"cannot read the configs of broker {broker}: {error}")
        if broker in read.brokers:
            out[broker] = {
                k: v.value
                for k, v in read.brokers[broker].items()
                if v.source == DYNAMIC_BROKER and v.value is not None
            }
    return out


class BrokerConfigPort(Protocol):
    def broker_configs(self, known: BrokerConfigs | None = None) -> BrokerConfigs:
        """One DescribeCluster (the broker ids), one DescribeConfigs for the cluster default and one
        per live broker, sent at once; a broker `known` answers (read earlier in the same plan, by
        `broker_configs_of`) is not asked again, its answer is taken."""
        ...

    def broker_configs_of(self, brokers: Sequence[int]) -> BrokerConfigs:
        """The named brokers' configs only: one DescribeConfigs per broker, all sent before any
        answer is awaited; `default` is empty (the cluster default is not read)."""
        ...

    def alter_broker_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        """IncrementalAlterConfigs in one batch, keyed by DEFAULT or str(broker id); a None value
        deletes the override (back to the static or default value)."""
        ...
