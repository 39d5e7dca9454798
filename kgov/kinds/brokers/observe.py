"""Read the brokers' dynamic settings: one read through the broker-config port (one DescribeCluster,
one DescribeConfigs for the cluster default and one per broker, sent at once), only when the
environment has a cluster file, or for the audit's governance findings (`governance`: then a read
error is theirs to report, and the audit goes on). A broker the replica kind's leftover-rate check
read earlier in the same plan is answered from that read (kgov/engine/reads.py PARTS): one
DescribeConfigs per broker for both kinds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kgov import broker_configs
from kgov.cluster.kafka.broker_port import DEFAULT, BrokerConfigPort, BrokerConfigs
from kgov.errors import ClusterError

SENSITIVE = "(sensitive)"  # a sensitive override is set, its value unknowable
DYNAMIC_DEFAULT = "DYNAMIC_DEFAULT_BROKER_CONFIG"
DYNAMIC_BROKER = "DYNAMIC_BROKER_CONFIG"


@dataclass(frozen=True)
class ObservedSettings:
    live: tuple[int, ...] = ()  # the live brokers' ids
    default: Mapping[str, str] = field(default_factory=dict)  # the cluster default's dynamic overrides
    brokers: Mapping[int, Mapping[str, str]] = field(default_factory=dict)  # each broker's own overrides
    # what the port answered, every config with its source (the audit's governance findings read it)
    configs: BrokerConfigs | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "live": list(self.live),
            "default": dict(sorted(self.default.items())),
            "brokers": {str(b): dict(sorted(c.items())) for b, c in sorted(self.brokers.items())},
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ObservedSettings:
        return cls(
            tuple(int(b) for b in doc["live"]),
            {str(k): str(v) for k, v in doc["default"].items()},
            {int(b): {str(k): str(v) for k, v in c.items()} for b, c in doc["brokers"].items()},
        )


def _overrides(entries: Mapping[str, Any], source: str) -> dict[str, str]:
    """The dynamic overrides of one resource (sensitive ones as SENSITIVE); kgov's own throttles left out."""
    return {
        name: SENSITIVE if v.sensitive or v.value is None else v.value
        for name, v in entries.items()
        if v.source == source and name not in broker_configs.KGOV_MANAGED
    }


def observe_settings(port: BrokerConfigPort, managed: bool, governance: bool = False) -> ObservedSettings:
    if not managed and not governance:
        return ObservedSettings()
    read = port.broker_configs()
    if read.errors and not managed:
        return ObservedSettings(configs=read)  # nothing to plan: the findings say what was not read
    if read.errors:
        name, error = sorted(read.errors.items())[0]
        what = "the cluster-default broker configs" if name == DEFAULT else f"the configs of broker {name}"
        raise ClusterError(
            f"cannot read {what}: {error}",
            hint="kgov's principal needs DESCRIBE_CONFIGS on the cluster resource (kafka-cluster)",
        )
    return ObservedSettings(
        tuple(sorted(read.brokers)),
        _overrides(read.default, DYNAMIC_DEFAULT),
        {b: _overrides(c, DYNAMIC_BROKER) for b, c in sorted(read.brokers.items())},
        read,
    )
