"""The broker-config port in memory (a mixin of MemoryCluster), with Kafka 4's rules as a real
cluster answers them (kgov/broker_configs.py lists them): read-only keys refused, per-broker keys
refused on the cluster default, security configs only with a listener prefix, values checked,
sensitive values never returned, each config's source as Kafka gives it (a broker's override, the
cluster default, the static server.properties, Kafka's default), and the cluster-default
min.insync.replicas Kafka 4 writes at format time and refuses to remove while ELR is on.

Requests are counted as the adapter sends them: one DescribeCluster, one DescribeConfigs for the
default and one per broker (not for a broker `known` answers); `broker_configs_of`, one
DescribeConfigs per named broker; one IncrementalAlterConfigs per resource written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov import broker_configs as known
from kgov.cluster.kafka.broker_port import DEFAULT, BrokerConfigs, BrokerConfigValue
from kgov.cluster.kafka.port import ConfigOp, Outcome
from kgov.kafka_configs import ConfigValueError

DYNAMIC_BROKER = "DYNAMIC_BROKER_CONFIG"
DYNAMIC_DEFAULT = "DYNAMIC_DEFAULT_BROKER_CONFIG"
STATIC = "STATIC_BROKER_CONFIG"
KAFKA_DEFAULT = "DEFAULT_CONFIG"


class MemoryBrokerConfigMixin:
    requests: list[str]
    brokers: int

    def _init_broker_configs(self) -> None:
        self.default_configs: dict[str, str] = {"min.insync.replicas": "1"}  # as Kafka 4 formats it
        self.broker_overrides: dict[int, dict[str, str]] = {}
        self.static_configs: dict[int, dict[str, str]] = {}  # server.properties, per broker
        self.broker_read_errors: dict[str, str] = {}  # resource (DEFAULT or str(id)) -> read error
        self.broker_write_errors: dict[str, str] = {}  # resource -> error of any write to it
        self.elr_enabled = True

    @property
    def broker_ids(self) -> list[int]:
        return list(range(1, self.brokers + 1))

    def _value(self, key: str, value: str | None, source: str, read_only: bool = False) -> BrokerConfigValue:
        sensitive = known.is_sensitive(key)
        return BrokerConfigValue(None if sensitive else value, source, sensitive, read_only)

    def _broker_view(self, broker: int) -> dict[str, BrokerConfigValue]:
        overrides = self.broker_overrides.get(broker, {})
        static = self.static_configs.get(broker, {})
        out: dict[str, BrokerConfigValue] = {}
        for key in sorted({*known.table(), *overrides, *self.default_configs, *static}):
            config = known.lookup(key)
            read_only = config is not None and config.mode == known.READ_ONLY
            if key in overrides:
                out[key] = self._value(key, overrides[key], DYNAMIC_BROKER, read_only)
            elif key in self.default_configs:
                out[key] = self._value(key, self.default_configs[key], DYNAMIC_DEFAULT, read_only)
            elif key in static:
                out[key] = self._value(key, static[key], STATIC, read_only)
            else:
                default = config.definition.default if config is not None else None
                out[key] = self._value(key, default or None, KAFKA_DEFAULT, read_only)
        return out

    def _read_each(self, brokers: Sequence[int]) -> BrokerConfigs:
        """One DescribeConfigs per broker; a broker the cluster does not know answers an error."""
        self.requests.extend(["describe_configs"] * len(brokers))
        failing = self.broker_read_errors
        errors = {str(b): failing[str(b)] for b in brokers if str(b) in failing}
        for b in brokers:
            if b not in self.broker_ids and str(b) not in errors:
                errors[str(b)] = f"BROKER_NOT_AVAILABLE: broker {b} is not known"
        answered = {b: self._broker_view(b) for b in brokers if str(b) not in errors}
        return BrokerConfigs({}, answered, errors)

    def broker_configs_of(self, brokers: Sequence[int]) -> BrokerConfigs:
        return self._read_each(sorted(set(brokers)))

    def broker_configs(self, known: BrokerConfigs | None = None) -> BrokerConfigs:
        self.requests.append("describe_cluster")
        have = (known or BrokerConfigs({}, {}, {})).only(self.broker_ids)
        read = self._read_each([b for b in self.broker_ids if not have.answers(b)])
        self.requests.append("describe_configs")  # the cluster default
        errors = {DEFAULT: self.broker_read_errors[DEFAULT]} if DEFAULT in self.broker_read_errors else {}
        default = (
            {k: self._value(k, v, DYNAMIC_DEFAULT) for k, v in sorted(self.default_configs.items())}
            if DEFAULT not in errors
            else {}
        )
        merged = have.merged(read).only(self.broker_ids)
        return BrokerConfigs(default, merged.brokers, {**errors, **merged.errors})

    def _refusal(self, resource: str, op: ConfigOp) -> str | None:
        level = known.DEFAULT_LEVEL if resource == DEFAULT else known.BROKER_LEVEL
        config = known.lookup(op.key)
        if config is None:
            return None  # Kafka keeps an unknown key (no broker reads it)
        if config.mode == known.READ_ONLY:
            return f"INVALID_REQUEST: Cannot update these configs dynamically: [{op.key}]"
        if op.key in known.listener_only():
            return (
                "INVALID_REQUEST: These security configs can be dynamically updated only per-listener "
                f"using the listener prefix: [{op.key}]"
            )
        if level == known.DEFAULT_LEVEL and config.mode == known.PER_BROKER:
            return (
                "INVALID_REQUEST: Cannot update these configs at default cluster level, broker id must "
                f"be specified: [{op.key}]"
            )
        if op.value is None:
            if resource == DEFAULT and op.key == "min.insync.replicas" and self.elr_enabled:
                return (
                    "INVALID_CONFIG: Cluster-level min.insync.replicas cannot be removed while ELR is "
                    "enabled."
                )
            return None
        try:
            known.normalize(op.key, op.value)
        except ConfigValueError as exc:
            return f"INVALID_CONFIG: Invalid value {op.value} for configuration {op.key}: {exc}"
        return None

    def alter_broker_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        out: dict[str, str | None] = {}
        for resource, changes in ops.items():
            self.requests.append("incremental_alter_configs")
            if resource in self.broker_write_errors:
                out[resource] = self.broker_write_errors[resource]
                continue
            if resource != DEFAULT and (not resource.isdigit() or int(resource) not in self.broker_ids):
                out[resource] = f"INVALID_REQUEST: Unexpected broker id {resource}"
                continue
            refused = next((r for op in changes if (r := self._refusal(resource, op)) is not None), None)
            if refused is not None:  # Kafka applies a resource's changes all or none
                out[resource] = refused
                continue
            target = (
                self.default_configs
                if resource == DEFAULT
                else self.broker_overrides.setdefault(int(resource), {})
            )
            for op in changes:
                if op.value is None:
                    target.pop(op.key, None)
                else:
                    target[op.key] = op.value
            out[resource] = None
        return out
