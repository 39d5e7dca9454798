"""The cluster port over a real broker: the only module that imports confluent_kafka.admin.

Every method sends a whole batch (chunked at CHUNK resources) and counts its requests, so the
number of requests for a plan stays fixed however many topics there are.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ConfigSource,
    NewPartitions,
    ResourceType,
)
from confluent_kafka.admin import NewTopic as KafkaNewTopic

from kgov.cluster.connect import KafkaSettings
from kgov.cluster.kafka_access import KafkaAccessMixin
from kgov.cluster.port import ConfigOp, NewTopic, Outcome, TopicInfo
from kgov.errors import ClusterError

CHUNK = 1000
T = TypeVar("T")

_quiet = logging.getLogger("kgov.librdkafka")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        err: KafkaError = exc.args[0]
        return f"{err.name()}: {err.str()}"
    return str(exc)


class KafkaCluster(KafkaAccessMixin):
    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings
        self.requests: Counter[str] = Counter()
        self._last_error: str | None = None
        conf: dict[str, Any] = dict(settings.client)
        conf["logger"] = _quiet  # librdkafka would print connection noise to stderr
        conf["error_cb"] = self._on_error
        self._admin = AdminClient(conf)
        self._timeout = settings.timeout_s

    def _on_error(self, err: KafkaError) -> None:
        self._last_error = f"{err.name()}: {err.str()}"

    def _wait(self, futures: Mapping[Any, Future[Any]]) -> dict[Any, str | None]:
        out: dict[Any, str | None] = {}
        for key, future in futures.items():
            try:
                future.result()
                out[key] = None
            except Exception as exc:
                out[key] = _error_text(exc)
        return out

    # -- reads --------------------------------------------------------------------------------
    def list_topics(self) -> Sequence[TopicInfo]:
        self.requests["metadata"] += 1
        try:
            meta = self._admin.list_topics(timeout=self._timeout)
        except KafkaException as exc:
            self._admin.poll(0)  # error callbacks (e.g. SASL authentication failed) are served only by poll
            detail = self._last_error or _error_text(exc)
            raise ClusterError(
                f"cannot reach Kafka at {self.settings.bootstrap} within {self._timeout:g}s ({detail})",
                hint="check bootstrap_servers, security_protocol and credentials; "
                "raise kafka.timeout_ms for a slow network",
            ) from None
        out = []
        for name, topic in meta.topics.items():
            if topic.error is not None:
                raise ClusterError(f"cannot describe topic {name}: {topic.error.str()}")
            replicas = max((len(p.replicas) for p in topic.partitions.values()), default=0)
            out.append(TopicInfo(name, len(topic.partitions), replicas))
        return sorted(out, key=lambda t: t.name)

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        out: dict[str, Mapping[str, str]] = {}
        dynamic = ConfigSource.DYNAMIC_TOPIC_CONFIG.value
        for chunk in _chunks(list(names)):
            self.requests["describe_configs"] += 1
            resources = [ConfigResource(ResourceType.TOPIC, n) for n in chunk]
            futures = self._admin.describe_configs(resources, request_timeout=self._timeout)
            for resource, future in futures.items():
                try:
                    entries: dict[str, ConfigEntry] = future.result()
                except Exception as exc:
                    raise ClusterError(
                        f"cannot read the configs of topic {resource.name}: {_error_text(exc)}"
                    ) from None
                out[resource.name] = {
                    e.name: e.value for e in entries.values() if _source(e) == dynamic and e.value is not None
                }
        return out

    # -- writes -------------------------------------------------------------------------------
    def create_topics(self, topics: Sequence[NewTopic]) -> Outcome:
        out: dict[str, str | None] = {}
        for chunk in _chunks(list(topics), 500):
            self.requests["create_topics"] += 1
            specs = [
                KafkaNewTopic(t.name, t.partitions, t.replication_factor, config=dict(t.config))
                for t in chunk
            ]
            futures = self._admin.create_topics(
                specs, operation_timeout=self._timeout, request_timeout=self._timeout
            )
            out.update(self._wait(futures))
        return out

    def create_partitions(self, counts: Mapping[str, int]) -> Outcome:
        out: dict[str, str | None] = {}
        for chunk in _chunks(sorted(counts.items()), 500):
            self.requests["create_partitions"] += 1
            specs = [NewPartitions(name, count) for name, count in chunk]
            futures = self._admin.create_partitions(
                specs, operation_timeout=self._timeout, request_timeout=self._timeout
            )
            out.update(self._wait(futures))
        return out

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        out: dict[str, str | None] = {}
        for chunk in _chunks(sorted(ops.items()), 500):
            self.requests["incremental_alter_configs"] += 1
            resources = [
                ConfigResource(ResourceType.TOPIC, name, incremental_configs=[_entry(op) for op in changes])
                for name, changes in chunk
            ]
            futures = self._admin.incremental_alter_configs(resources, request_timeout=self._timeout)
            out.update({r.name: err for r, err in self._wait(futures).items()})
        return out

    def delete_topics(self, names: Sequence[str]) -> Outcome:
        out: dict[str, str | None] = {}
        for chunk in _chunks(list(names), 500):
            self.requests["delete_topics"] += 1
            futures = self._admin.delete_topics(
                list(chunk), operation_timeout=self._timeout, request_timeout=self._timeout
            )
            out.update(self._wait(futures))
        return out


def _source(entry: ConfigEntry) -> Any:
    source = entry.source
    return getattr(source, "value", source)


def _entry(op: ConfigOp) -> ConfigEntry:
    if op.value is None:
        return ConfigEntry(op.key, None, incremental_operation=AlterConfigOpType.DELETE)
    return ConfigEntry(op.key, op.value, incremental_operation=AlterConfigOpType.SET)
