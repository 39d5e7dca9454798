"""The Kafka admin port over a real broker: the only module that imports confluent_kafka.admin.

Every call goes through `_batched`: one batch size, one request counter, and only Kafka's own
errors (KafkaException) become per-resource outcomes. Anything else is a bug in kgov and is left
to surface as one, never dressed up as "Kafka said …". Reads send all their batches at once and
then wait (the admin calls are asynchronous): a plan waits for the slowest batch, not their sum.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from kgov.cluster.kafka_port import ConfigOp, Outcome
from kgov.errors import ClusterError
from kgov.state import TopicListing, TopicSpec

BATCH = 5000  # resources per admin request, for every kind of request: 10,000 topics read in 2
T = TypeVar("T")

_quiet = logging.getLogger("kgov.librdkafka")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


# The KRaft controller refuses one request that writes more than 10,000 metadata records
# ("excessively large batch operation"): 5,000 creations of topics with a config each are 15,000.
MAX_RECORDS = 10_000


def _chunks(items: Sequence[T], records: Callable[[T], int] | None = None) -> Iterator[Sequence[T]]:
    """Batches of at most BATCH items and, for writes, at most MAX_RECORDS metadata records."""
    start = 0
    while start < len(items):
        end, total = start, 0
        while end < len(items) and end - start < BATCH:
            weight = records(items[end]) if records else 0
            if total + weight > MAX_RECORDS and end > start:
                break
            total += weight
            end += 1
        yield items[start:end]
        start = end


def _error_text(exc: KafkaException) -> str:
    if exc.args and isinstance(exc.args[0], KafkaError):
        err: KafkaError = exc.args[0]
        return f"{err.name()}: {err.str()}"
    return str(exc)


def _name(key: object) -> str:
    return key.name if isinstance(key, ConfigResource) else str(key)


class KafkaCluster:
    def __init__(self, settings: KafkaSettings, extra: Mapping[str, Any] | None = None) -> None:
        self.settings = settings
        self.requests: Counter[str] = Counter()
        self._count_lock = threading.Lock()  # kinds may observe from several threads
        self._last_error: str | None = None
        conf: dict[str, Any] = dict(settings.client)
        conf["logger"] = _quiet  # librdkafka would print connection noise to stderr
        conf["error_cb"] = self._on_error
        conf.update(extra or {})
        self._admin = AdminClient(conf)
        self._timeout = settings.timeout_s

    def _on_error(self, err: KafkaError) -> None:
        self._last_error = f"{err.name()}: {err.str()}"

    def poll(self, timeout: float = 0) -> None:
        """Serve librdkafka callbacks (errors, statistics)."""
        self._admin.poll(timeout)

    def _batched(
        self,
        request: str,
        items: Sequence[T],
        send: Callable[[Sequence[T]], Mapping[Any, Future[Any]]],
        *,
        together: bool = False,
        records: Callable[[T], int] | None = None,
    ) -> dict[str, tuple[Any, str | None]]:
        """Send `items` in batches of BATCH; per resource name, (result, None) or (None, Kafka's error).

        `together`: send every batch before waiting for any (independent reads); otherwise one
        batch is answered before the next is sent (writes stay in order, and a broker is not
        handed thousands of creations at once).
        """
        out: dict[str, tuple[Any, str | None]] = {}
        pending: list[Mapping[Any, Future[Any]]] = []
        for chunk in _chunks(items, records):
            with self._count_lock:
                self.requests[request] += 1
            pending.append(send(chunk))
            if not together:
                self._collect(pending.pop(), out)
        for futures in pending:
            self._collect(futures, out)
        return out

    @staticmethod
    def _collect(futures: Mapping[Any, Future[Any]], out: dict[str, tuple[Any, str | None]]) -> None:
        for key, future in futures.items():
            try:
                out[_name(key)] = (future.result(), None)
            except KafkaException as exc:
                out[_name(key)] = (None, _error_text(exc))

    @staticmethod
    def _outcome(results: Mapping[str, tuple[Any, str | None]]) -> Outcome:
        return {name: error for name, (_, error) in results.items()}

    # -- reads --------------------------------------------------------------------------------
    def list_topics(self) -> TopicListing:
        with self._count_lock:
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
        topics, errors = [], {}
        for name, topic in meta.topics.items():
            if topic.error is not None:  # the caller decides whether this topic matters
                errors[name] = f"{topic.error.name()}: {topic.error.str()}"
                continue
            replicas = max((len(p.replicas) for p in topic.partitions.values()), default=0)
            topics.append(TopicSpec(name, len(topic.partitions), replicas))
        return TopicListing(tuple(sorted(topics, key=lambda t: t.name)), errors)

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        dynamic = ConfigSource.DYNAMIC_TOPIC_CONFIG.value
        results = self._batched(
            "describe_configs",
            list(names),
            lambda chunk: self._admin.describe_configs(
                [ConfigResource(ResourceType.TOPIC, n) for n in chunk], request_timeout=self._timeout
            ),
            together=True,
        )
        out: dict[str, Mapping[str, str]] = {}
        for name, (entries, error) in results.items():
            if error is not None:
                raise ClusterError(f"cannot read the configs of topic {name}: {error}")
            out[name] = {
                e.name: e.value for e in entries.values() if _source(e) == dynamic and e.value is not None
            }
        return out

    # -- writes -------------------------------------------------------------------------------
    def create_topics(self, topics: Sequence[TopicSpec]) -> Outcome:
        return self._outcome(
            self._batched(
                "create_topics",
                list(topics),
                lambda chunk: self._admin.create_topics(
                    [
                        KafkaNewTopic(t.name, t.partitions, t.replication_factor, config=dict(t.config))
                        for t in chunk
                    ],
                    operation_timeout=self._timeout,
                    request_timeout=self._timeout,
                ),
                records=lambda t: 1 + t.partitions + len(t.config),  # topic, partitions, configs
            )
        )

    def create_partitions(self, counts: Mapping[str, int]) -> Outcome:
        return self._outcome(
            self._batched(
                "create_partitions",
                sorted(counts.items()),
                lambda chunk: self._admin.create_partitions(
                    [NewPartitions(name, count) for name, count in chunk],
                    operation_timeout=self._timeout,
                    request_timeout=self._timeout,
                ),
                records=lambda item: item[1],  # at most the new total of partitions
            )
        )

    def alter_topic_configs(self, ops: Mapping[str, Sequence[ConfigOp]]) -> Outcome:
        return self._outcome(
            self._batched(
                "incremental_alter_configs",
                sorted(ops.items()),
                lambda chunk: self._admin.incremental_alter_configs(
                    [
                        ConfigResource(
                            ResourceType.TOPIC, name, incremental_configs=[_entry(o) for o in changes]
                        )
                        for name, changes in chunk
                    ],
                    request_timeout=self._timeout,
                ),
                records=lambda item: len(item[1]),
            )
        )

    def delete_topics(self, names: Sequence[str]) -> Outcome:
        return self._outcome(
            self._batched(
                "delete_topics",
                list(names),
                lambda chunk: self._admin.delete_topics(
                    list(chunk), operation_timeout=self._timeout, request_timeout=self._timeout
                ),
            )
        )


def _source(entry: ConfigEntry) -> Any:
    source = entry.source
    return getattr(source, "value", source)


def _entry(op: ConfigOp) -> ConfigEntry:
    if op.value is None:
        return ConfigEntry(op.key, None, incremental_operation=AlterConfigOpType.DELETE)
    return ConfigEntry(op.key, op.value, incremental_operation=AlterConfigOpType.SET)
