"""The reassignment port (kgov/cluster/kafka/reassign_port.py) over a real cluster, with kafka-python.

Why a second client: confluent-kafka and librdkafka have no partition-reassignment, log-dir or
leader-election API; kafka-python 3.x (pinned >=3.0.12,<4: 3.0 changed the admin answers' shapes)
has them. It is used for those calls only, and only here (an import-linter contract forbids `kafka`
outside kgov.cluster.kafka.adapter).

The client is made from the same KafkaSettings as the confluent-kafka adapter (`client_config`, the
one mapping), lazily on the first call. Every call is bounded (the settings' timeout, plus the
bootstrap when the client is new) and interruptible, and every kafka-python error becomes a
ClusterError whose message KgovError redacts; kafka-python's log (connection noise, which may name
hosts) is kept off stderr, its last failure only quoted, redacted, in the error.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import kafka.errors as kafka_errors
from kafka import KafkaAdminClient, TopicPartition

from kgov.cluster.interrupt import SLICE_S
from kgov.cluster.kafka.adapter.client_options import client_config
from kgov.cluster.kafka.aws_iam import AWS_IAM_HINT
from kgov.cluster.kafka.client_settings import KafkaSettings
from kgov.cluster.kafka.port import Partition
from kgov.cluster.kafka.reassign_port import Broker, LogDirSizes, PartitionOutcome, Reassignment
from kgov.errors import ClusterError

T = TypeVar("T")
PREFERRED = 0  # ElectLeaders' election type: preferred replica (1 is unclean)
_GRACE_S = 5.0  # past kafka-python's own request timeout, before kgov gives up waiting on a call
_RETRY_FIRST_S, _RETRY_MAX_S = 0.25, 1.0  # pauses between tries of a retriable failure


class _Retriable(ClusterError):
    """A call's failure that a new try may not have (kafka-python marks such errors retriable)."""


class _Recent(logging.Handler):
    """Keeps why kafka-python's connections failed (it logs the reason, then raises a bare 'Unable
    to bootstrap'): the reason is quoted in kgov's error, redacted. An authentication or TLS failure
    is kept apart: the disconnects that follow it would hide it."""

    _TELLING = ("Authentication", "SSL", "certificate", "Handshake")

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.last: str | None = None
        self.telling: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a malformed log call in the library is not kgov's failure
            return
        if not text.startswith("Bootstrap connection to ") or " failed: " not in text:
            return  # only the per-connection reason, which names no host (its node is "bootstrap-N")
        reason = text.split(" failed: ", 1)[1].split(" (backoff", 1)[0].strip()
        self.last = reason
        if any(word in reason for word in self._TELLING):
            self.telling = reason

    def clear(self) -> None:
        self.last = self.telling = None

    def reason(self) -> str | None:
        return self.telling or self.last


_RECENT = _Recent()
_library_log = logging.getLogger("kafka")
_library_log.addHandler(_RECENT)
_library_log.propagate = False  # never Python's last-resort handler on stderr


def error_text(error: type[BaseException] | BaseException) -> str:
    """Kafka's error as kgov shows it: "NAME: description" (as the confluent-kafka adapter does)."""
    cls = error if isinstance(error, type) else type(error)
    name = getattr(cls, "message", None) or cls.__name__
    detail = getattr(cls, "description", None) or ""
    if isinstance(error, BaseException) and error.args:
        detail = " ".join(str(a) for a in error.args if a) or detail
    return f"{name}: {detail}" if detail else str(name)


def _outcome(error: object) -> str | None:
    if error is None or error is kafka_errors.NoError:
        return None
    if isinstance(error, type) and issubclass(error, BaseException):
        return error_text(error)
    return str(error)


class KafkaReassign:
    """ReassignPort with kafka-python; `factory` makes the client (tests give a fake)."""

    def __init__(self, settings: KafkaSettings, factory: Callable[..., Any] = KafkaAdminClient) -> None:
        self.settings = settings
        self.requests: Counter[str] = Counter()
        self._timeout = settings.timeout_s
        self._factory = factory
        self._config = client_config(settings)
        self._client: Any = None

    def _admin(self) -> Any:
        if self._client is None:
            if self.settings.aws_iam is not None:  # no extra or no AWS credentials: said here
                self.settings.aws_iam.prepare()
            _RECENT.clear()
            self._client = self._bounded(
                "bootstrap", lambda: self._factory(**self._config), 2 * self._timeout
            )
        return self._client

    def _call(self, request: str, fn: Callable[[Any], T], count: int = 1, retry: bool = True) -> T:
        """fn(client), bounded; a retriable failure (the connection to a broker that just died, a
        controller that moved) is tried again on a fresh pick of broker within the settings'
        timeout. Every request here is idempotent: a reassignment submitted twice with the same
        target is the same reassignment."""
        admin = self._admin()
        deadline = time.monotonic() + self._timeout
        pause = _RETRY_FIRST_S
        while True:
            self.requests[request] += count
            try:
                return self._bounded(request, lambda: fn(admin), self._timeout)
            except _Retriable as exc:
                if not retry or time.monotonic() + pause >= deadline:
                    raise ClusterError(exc.message, exc.hint) from None
            time.sleep(pause)
            pause = min(2 * pause, _RETRY_MAX_S)

    def _bounded(self, request: str, fn: Callable[[], T], timeout: float) -> T:
        """fn() in a daemon thread, waited on in slices (Ctrl-C is raised at once) for at most
        timeout + _GRACE_S; kafka-python's errors become ClusterErrors."""
        done = threading.Event()
        result: list[Any] = []

        def work() -> None:
            try:
                result[:] = [True, fn()]
            except BaseException as exc:  # handed to the caller's thread
                result[:] = [False, exc]
            finally:
                done.set()

        threading.Thread(target=work, name=f"kgov-reassign-{request}", daemon=True).start()
        deadline = time.monotonic() + timeout + _GRACE_S
        while not done.wait(SLICE_S):
            if time.monotonic() >= deadline:
                raise self._failure(request, f"no answer within {timeout + _GRACE_S:g}s")
        ok, value = result
        if ok:
            return value  # type: ignore[no-any-return]
        if isinstance(value, kafka_errors.KafkaError | OSError):
            aws = self.settings.aws_iam
            if request == "bootstrap" and aws is not None and aws.failure is not None:
                raise aws.failure from None  # why the AWS MSK IAM token could not be made
            if request == "bootstrap" and isinstance(value, kafka_errors.KafkaTimeoutError):
                # its text lists the resolved bootstrap servers, which may be secret: not quoted
                reason = _RECENT.reason()
                detail = f"no broker answered within {self._timeout:g}s" + (
                    f"; last failure: {reason}" if reason else ""
                )
            else:
                detail = error_text(value)
            error = self._failure(request, detail)
            # UnknownBrokerIdError: the metadata names a controller the client does not list yet (a
            # broker that just restarted); a new try reads the metadata again
            again = getattr(value, "retriable", False) or isinstance(value, kafka_errors.UnknownBrokerIdError)
            if request != "bootstrap" and again:
                raise _Retriable(error.message, error.hint) from None
            raise error from None
        raise value

    def _failure(self, request: str, detail: str) -> ClusterError:
        oauth = self.settings.oauth is not None
        if request == "bootstrap":
            return ClusterError(
                f"the reassignment client cannot reach Kafka at {self.settings.bootstrap} ({detail})",
                hint=AWS_IAM_HINT
                if self.settings.aws_iam is not None
                else "check bootstrap_servers, security_protocol, credentials and certificates; "
                "raise kafka.timeout_ms for a slow network"
                + ("; with OAUTHBEARER, check kafka.oauth: the brokers may have refused its token" * oauth),
            )
        return ClusterError(f"{request} failed at {self.settings.bootstrap}: {detail}")

    # -- the port ------------------------------------------------------------------------------
    def describe_brokers(self) -> Sequence[Broker]:
        meta = self._call("describe_cluster", lambda a: a.describe_cluster())
        return sorted(
            Broker(int(b["broker_id"]), b.get("rack")) for b in meta["brokers"] if not b.get("is_fenced")
        )

    def list_partition_reassignments(
        self, partitions: Sequence[Partition] | None = None
    ) -> Sequence[Reassignment]:
        wanted = None if partitions is None else [TopicPartition(t, p) for t, p in sorted(set(partitions))]
        if wanted == []:
            return []
        ms = int(self._timeout * 1000)
        found = self._call(
            "list_partition_reassignments", lambda a: a.list_partition_reassignments(wanted, ms)
        )
        return sorted(
            Reassignment(
                tp.topic,
                tp.partition,
                tuple(state["replicas"]),
                tuple(state["adding_replicas"]),
                tuple(state["removing_replicas"]),
            )
            for tp, state in found.items()
        )

    def alter_partition_reassignments(
        self, targets: Mapping[Partition, Sequence[int] | None]
    ) -> PartitionOutcome:
        if not targets:
            return {}
        for (topic, partition), replicas in targets.items():
            if replicas is not None and (not replicas or len(set(replicas)) != len(replicas)):
                raise ValueError(
                    f"{topic}:{partition}: a target must list distinct brokers, got {list(replicas)}"
                )
        request = {
            TopicPartition(t, p): None if replicas is None else [int(b) for b in replicas]
            for (t, p), replicas in sorted(targets.items())
        }
        ms = int(self._timeout * 1000)
        answer = self._call(
            "alter_partition_reassignments", lambda a: a.alter_partition_reassignments(request, ms)
        )
        out: dict[Partition, str | None] = {}
        for tp in request:
            if tp in answer:
                out[(tp.topic, tp.partition)] = _outcome(answer[tp])
            else:
                out[(tp.topic, tp.partition)] = "NO_ANSWER: Kafka did not report on this partition"
        return out

    def describe_log_dirs(
        self, partitions: Sequence[Partition], brokers: Sequence[int] | None = None
    ) -> LogDirSizes:
        wanted = set(partitions)
        if not wanted:
            return LogDirSizes({})
        by_topic: dict[str, list[int]] = defaultdict(list)
        for topic, partition in sorted(wanted):
            by_topic[topic].append(partition)
        sizes: dict[Partition, dict[int, int]] = defaultdict(dict)
        lag: dict[Partition, dict[int, int]] = defaultdict(dict)
        errors: dict[int, str] = {}
        ids = sorted(set(brokers)) if brokers is not None else [b.id for b in self.describe_brokers()]
        for broker_id in ids:
            try:  # one request per broker, sent alone: a broker that cannot answer is an error of its own
                answer = self._log_dirs(dict(by_topic), broker_id)
            except ClusterError as exc:
                errors[broker_id] = exc.message
                continue
            for reply in answer:
                for log_dir in reply["log_dirs"]:
                    if log_dir.get("error_code", 0):
                        errors[broker_id] = _outcome(kafka_errors.for_code(log_dir["error_code"])) or ""
                        continue
                    for topic in log_dir["topics"]:
                        for p in topic["partitions"]:
                            key = (topic["name"], p["partition_index"])
                            if key not in wanted or p.get("is_future_key"):
                                continue  # a future replica is a move between disks of one broker
                            sizes[key][broker_id] = int(p["partition_size"])
                            lag[key][broker_id] = int(p["offset_lag"])
        return LogDirSizes(dict(sizes), dict(lag), errors)

    def _log_dirs(self, by_topic: dict[str, list[int]], broker: int) -> Any:
        # not tried again: it goes to this one broker, and a dead broker stays dead for a while
        return self._call("describe_log_dirs", lambda a: a.describe_log_dirs(by_topic, [broker]), retry=False)

    def elect_leaders(self, partitions: Sequence[Partition]) -> PartitionOutcome:
        wanted = sorted(set(partitions))
        if not wanted:
            return {}
        by_topic: dict[str, list[int]] = defaultdict(list)
        for topic, partition in wanted:
            by_topic[topic].append(partition)
        ms = int(self._timeout * 1000)
        answer = self._call(
            "elect_leaders", lambda a: a.elect_leaders(PREFERRED, dict(by_topic), ms, raise_errors=False)
        )
        top = kafka_errors.for_code(getattr(answer, "error_code", 0))
        if top is not kafka_errors.NoError:
            raise ClusterError(f"elect_leaders failed at {self.settings.bootstrap}: {error_text(top)}")
        out: dict[Partition, str | None] = dict.fromkeys(
            wanted, "NO_ANSWER: Kafka did not report on this partition"
        )
        for result in answer.replica_election_results:
            for p in result.partition_result:
                error = kafka_errors.for_code(p.error_code)
                key = (result.topic, p.partition_id)
                if error in (kafka_errors.NoError, kafka_errors.ElectionNotNeededError):
                    out[key] = None
                else:
                    out[key] = f"{error.message}: {p.error_message or error.description}"
        return out

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(ClusterError):  # else the connections end with the process
                self._bounded("close", client.close, self._timeout)
