"""The Kafka admin port over a real broker. Only kgov/cluster/kafka/adapter/ imports confluent_kafka.

Every call goes through `_batched` (base.py): one batch size, one request counter, and only
Kafka's own errors (KafkaException) become per-resource outcomes. Anything else is a bug in kgov
and is left to surface as one, never dressed up as "Kafka said …".
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, TopicCollection
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

from kgov.cluster.interrupt import call_interruptibly
from kgov.cluster.kafka.adapter.access import KafkaAccessMixin
from kgov.cluster.kafka.adapter.base import KafkaBase, error_code, error_text, outcome
from kgov.cluster.kafka.adapter.brokers import KafkaBrokerConfigMixin
from kgov.cluster.kafka.adapter.usage import KafkaUsageMixin
from kgov.cluster.kafka.aws_iam import AWS_IAM_HINT
from kgov.cluster.kafka.client_settings import KafkaSettings
from kgov.cluster.kafka.port import ConfigOp, Outcome
from kgov.errors import ClusterError
from kgov.state import TopicListing, TopicSpec

_REFUSED = KafkaError.TOPIC_AUTHORIZATION_FAILED
# Topics a metadata listing leaves out: absent ones, and those kgov may not DESCRIBE (the topic kind
# then asks about each missing one, kgov.kinds.rights.check_topics_visible).
_NOT_LISTED = (KafkaError.UNKNOWN_TOPIC_OR_PART, _REFUSED)
_quiet = logging.getLogger("kgov.librdkafka")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class KafkaCluster(KafkaAccessMixin, KafkaUsageMixin, KafkaBrokerConfigMixin, KafkaBase):
    def __init__(self, settings: KafkaSettings, extra: Mapping[str, Any] | None = None) -> None:
        self.settings = settings
        self.requests: Counter[str] = Counter()
        errors: deque[str] = deque(maxlen=1)  # the last error librdkafka reported
        conf: dict[str, Any] = dict(settings.client)
        conf["logger"] = _quiet  # librdkafka would print connection noise to stderr
        # Not a bound method: client -> callback -> self -> client would be a reference cycle, and the
        # garbage collector may then destroy the client from one of librdkafka's own threads (an abort).
        conf["error_cb"] = lambda err: errors.append(f"{err.name()}: {err.str()}")
        conf.update(extra or {})
        if settings.aws_iam is not None:  # AWS MSK IAM: the first token now, so a failure is said clearly
            settings.aws_iam.prepare()
            conf["oauth_cb"] = settings.aws_iam.oauth_cb
        self._errors = errors
        self._admin = AdminClient(conf)
        self._timeout = settings.timeout_s
        # the last listing and the metadata answer it was made from (`metadata_of`)
        self._listed: tuple[TopicListing, Any] | None = None

    @property
    def _last_error(self) -> str | None:
        return self._errors[-1] if self._errors else None

    def poll(self, timeout: float = 0) -> None:
        """Serve librdkafka callbacks (errors, statistics)."""
        self._admin.poll(timeout)

    # -- reads --------------------------------------------------------------------------------
    def list_topics(self) -> TopicListing:
        self.requests["metadata"] += 1
        try:
            meta = call_interruptibly(self._admin.list_topics, timeout=self._timeout)  # Ctrl-C stops it
        except KafkaException as exc:
            self._admin.poll(0)  # error callbacks (e.g. SASL authentication failed) are served only by poll
            detail = self._last_error or error_text(exc)
            if detail.startswith("_AUTHENTICATION") and self.settings.oauth is not None:
                raise ClusterError(
                    f"Kafka at {self.settings.bootstrap} did not take kgov's OAuth login ({detail})",
                    hint="check kafka.oauth (token_endpoint_url, client_id, client_secret, scope): the "
                    "token endpoint refused the client, or the brokers refused its token",
                ) from None
            hint = (
                "check bootstrap_servers, security_protocol and credentials; "
                "raise kafka.timeout_ms for a slow network"
            )
            if self.settings.aws_iam is not None:
                if self.settings.aws_iam.failure is not None:
                    raise self.settings.aws_iam.failure from None  # why the token could not be made
                hint = AWS_IAM_HINT
            raise ClusterError(
                f"cannot reach Kafka at {self.settings.bootstrap} within {self._timeout:g}s ({detail})",
                hint=hint,
            ) from None
        topics, errors = [], {}
        held = dict.fromkeys(meta.brokers, 0)  # capacity: the replicas each broker holds
        for name, topic in meta.topics.items():
            if topic.error is not None:  # the caller decides whether this topic matters
                errors[name] = f"{topic.error.name()}: {topic.error.str()}"
                continue
            replicas = max((len(p.replicas) for p in topic.partitions.values()), default=0)
            topics.append(TopicSpec(name, len(topic.partitions), replicas))
            for partition in topic.partitions.values():
                for broker in partition.replicas:
                    held[broker] = held.get(broker, 0) + 1
        listing = TopicListing(tuple(sorted(topics, key=lambda t: t.name)), errors, held)
        self._listed = (listing, meta)
        return listing

    def metadata_of(self, listing: TopicListing) -> Any | None:
        """The metadata answer `listing` was made from, while it is this port's last listing (None
        otherwise): a plan's replica kind reads every partition's replicas from the same answer as
        its topic kind, not with a second request of every topic (kgov/engine/reads.py)."""
        listed = self._listed
        return listed[1] if listed is not None and listed[0] is listing else None

    def describe_topics(self, names: Sequence[str]) -> TopicListing:
        answers = self._batched(
            "describe_topics",
            sorted(set(names)),
            lambda chunk: self._admin.describe_topics(
                TopicCollection(list(chunk)), request_timeout=self._timeout
            ),
            keep=lambda d: (max((len(p.replicas) for p in d.partitions), default=0), len(d.partitions)),
        )
        topics, errors = [], {}
        for name, (found, exc) in answers.items():
            if exc is None:
                replicas, partitions = found
                topics.append(TopicSpec(name, partitions, replicas))
            elif error_code(exc) not in _NOT_LISTED:
                errors[name] = error_text(exc)
        return TopicListing(tuple(sorted(topics, key=lambda t: t.name)), errors)

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        # the enum confluent-kafka gives, or its number (33 entries a topic: no function call per entry)
        dynamic = (ConfigSource.DYNAMIC_TOPIC_CONFIG, ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
        results = self._batched(
            "describe_configs",
            list(names),
            lambda chunk: self._admin.describe_configs(
                [ConfigResource(ResourceType.TOPIC, n) for n in chunk], request_timeout=self._timeout
            ),
            # Only the explicit configs are kept, batch by batch: the rest of the answer is most of it.
            keep=lambda entries: {
                e.name: e.value
                for e in entries.values()
                if e.source in dynamic and e.value is not None
            },
        )
        out: dict[str, Mapping[str, str]] = {}
        refused = sorted(n for n, (_, e) in results.items() if e is not None and error_code(e) == _REFUSED)
        if refused:
            more = f" (and {len(refused) - 5} more)" if len(refused) > 5 else ""
            raise ClusterError(
                f"kgov's principal {self.principal} may not DESCRIBE_CONFIGS topic "
                f"{', '.join(refused[:5])}{more}: it cannot compare their configs with the catalog",
                hint="grant kgov's principal DESCRIBE_CONFIGS on the topics it manages",
            )
        for name, (configs, error) in results.items():
            if error is not None:
                raise ClusterError(f"cannot read the configs of topic {name}: {error_text(error)}")
            out[name] = configs
        return out

    # -- writes -------------------------------------------------------------------------------
    def create_topics(self, topics: Sequence[TopicSpec]) -> Outcome:
        return outcome(
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
                records=lambda t: 1 + t.partitions + len(t.config),  # the topic, its partitions, configs
            )
        )

    def create_partitions(self, counts: Mapping[str, int]) -> Outcome:
        return outcome(
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
        return outcome(
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
        return outcome(
            self._batched(
                "delete_topics",
                list(names),
                lambda chunk: self._admin.delete_topics(
                    list(chunk), operation_timeout=self._timeout, request_timeout=self._timeout
                ),
            )
        )


def _entry(op: ConfigOp) -> ConfigEntry:
    if op.value is None:
        return ConfigEntry(op.key, None, incremental_operation=AlterConfigOpType.DELETE)
    return ConfigEntry(op.key, op.value, incremental_operation=AlterConfigOpType.SET)
