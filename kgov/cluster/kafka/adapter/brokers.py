"""The broker-config port (kgov/cluster/kafka/broker_port.py) over a real cluster (a mixin of
KafkaCluster): the broker ids and each broker's configs through confluent-kafka, the cluster-default
resource through kafka-python (kgov/cluster/kafka/adapter/cluster_default.py says why).

Requests of a read: one DescribeCluster, one DescribeConfigs for the cluster default, and one
DescribeConfigs per live broker, all sent before any answer is awaited (a broker the replica kind's
`broker_configs_of` read earlier in the same plan is not asked again: kgov/engine/reads.py PARTS).
Kafka answers a broker's configs only from that broker ("Unexpected broker id, expected 1 or empty
string"), and confluent-kafka takes one BROKER resource per call: the count grows with the brokers
(a handful), never with the settings. A write: one IncrementalAlterConfigs for the default and one
per broker that changes (Kafka takes a broker's changes only from that broker too), sent together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource, ResourceType

from kgov.cluster.interrupt import wait_futures
from kgov.cluster.kafka.adapter.base import KafkaBase, error_text
from kgov.cluster.kafka.broker_port import DEFAULT, BrokerConfigs, BrokerConfigValue
from kgov.cluster.kafka.port import ConfigOp, Outcome
from kgov.errors import ClusterError

if TYPE_CHECKING:
    from kgov.cluster.kafka.adapter.cluster_default import ClusterDefault


def _source(source: Any) -> str:
    try:
        return ConfigSource(source).name  # the enum confluent-kafka gives, or its number
    except ValueError:
        return str(getattr(source, "name", source))


def _entry(op: ConfigOp) -> ConfigEntry:
    if op.value is None:
        return ConfigEntry(op.key, None, incremental_operation=AlterConfigOpType.DELETE)
    return ConfigEntry(op.key, op.value, incremental_operation=AlterConfigOpType.SET)


def _values(entries: Mapping[str, Any]) -> dict[str, BrokerConfigValue]:
    return {
        name: BrokerConfigValue(
            None if e.is_sensitive or e.value is None else str(e.value),
            _source(e.source),
            bool(e.is_sensitive),
            bool(e.is_read_only),
        )
        for name, e in entries.items()
    }


class KafkaBrokerConfigMixin(KafkaBase):
    if TYPE_CHECKING:  # KafkaAccessMixin's, beside this mixin in KafkaCluster

        def cluster_operations(self) -> frozenset[str]: ...

    def _cluster_default(self) -> ClusterDefault:
        client: ClusterDefault | None = self.__dict__.get("_default_client")
        if client is None:  # connects on first use: a plan without broker settings never makes it
            # (imported here too: kafka-python costs every command's start-up ~0.05 s otherwise)
            from kgov.cluster.kafka.adapter.cluster_default import ClusterDefault

            client = ClusterDefault(self.settings)
            self.__dict__["_default_client"] = client
        return client

    def _broker_ids(self) -> list[int]:
        """The live brokers, from the DescribeCluster kgov's rights are read with (one request for
        both, made once per command: librdkafka sends DescribeCluster as a Metadata request)."""
        if "_live_brokers" not in self.__dict__:
            self.cluster_operations()
        ids: list[int] = self.__dict__["_live_brokers"]
        return ids

    def _send_each(self, request: str, calls: Mapping[str, Callable[[], Any]]) -> dict[str, Future[Any]]:
        """One call per broker (confluent-kafka: one BROKER resource per call), all sent at once."""
        futures: dict[str, Future[Any]] = {}
        for broker, call in calls.items():
            self.requests[request] += 1
            (futures[broker],) = call().values()
        return futures

    def _answers(self, futures: Mapping[str, Future[Any]]) -> dict[str, tuple[Any, str | None]]:
        """Each broker's answer, or Kafka's error (a broker silent past the timeout is one)."""
        limit = self._timeout + 5
        wait_futures(futures.values(), limit)  # in slices: Ctrl-C stops the wait
        out: dict[str, tuple[Any, str | None]] = {}
        for broker, future in futures.items():
            if not future.done():
                out[broker] = (None, f"_TIMED_OUT: no answer from Kafka within {limit:g}s")
                continue
            try:
                out[broker] = (future.result(), None)
            except KafkaException as exc:
                out[broker] = (None, error_text(exc))
        return out

    def _describe_each(self, brokers: Sequence[int]) -> dict[str, Future[Any]]:
        """One DescribeConfigs per broker, all sent before any answer is awaited."""

        def describe(broker: int) -> Callable[[], Any]:
            resource = ConfigResource(ResourceType.BROKER, str(broker))
            return lambda: self._admin.describe_configs([resource], request_timeout=self._timeout)

        return self._send_each("describe_configs", {str(b): describe(b) for b in brokers})

    def _read_each(self, pending: Mapping[str, Future[Any]]) -> BrokerConfigs:
        """Each pending broker's configs, or the error Kafka answered for it (no cluster default)."""
        brokers: dict[int, Mapping[str, BrokerConfigValue]] = {}
        errors: dict[str, str] = {}
        for broker, (entries, error) in self._answers(pending).items():
            if error is not None:
                errors[broker] = error
            else:
                brokers[int(broker)] = _values(entries)
        return BrokerConfigs({}, brokers, errors)

    def broker_configs_of(self, brokers: Sequence[int]) -> BrokerConfigs:
        return self._read_each(self._describe_each(sorted(set(brokers))))

    def broker_configs(self, known: BrokerConfigs | None = None) -> BrokerConfigs:
        live = self._broker_ids()
        have = (known or BrokerConfigs({}, {}, {})).only(live)  # read earlier in this plan
        pending = self._describe_each([b for b in live if not have.answers(b)])
        errors: dict[str, str] = {}
        self.requests["describe_configs"] += 1  # the default, read while the brokers answer
        try:
            default = self._cluster_default().describe()
        except ClusterError as exc:
            default, errors[DEFAULT] = {}, exc.message
        # in the live brokers' order, as one read of them all gives them
        merged = have.merged(self._read_each(pending)).only(live)
        return BrokerConfigs(default, merged.brokers, {**errors, **merged.errors})

    def alter_broker_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        def alter(broker: str, changes: Sequence[ConfigOp]) -> Callable[[], Any]:
            resource = ConfigResource(
                ResourceType.BROKER, broker, incremental_configs=[_entry(o) for o in changes]
            )
            return lambda: self._admin.incremental_alter_configs([resource], request_timeout=self._timeout)

        calls = {b: alter(b, changes) for b, changes in sorted(ops.items()) if b != DEFAULT}
        pending = self._send_each("incremental_alter_configs", calls)
        out: dict[str, str | None] = {}
        if DEFAULT in ops:  # written while the brokers' changes are in flight
            self.requests["incremental_alter_configs"] += 1
            out[DEFAULT] = self._cluster_default().alter(ops[DEFAULT])
        out.update({b: error for b, (_, error) in self._answers(pending).items()})
        return out
