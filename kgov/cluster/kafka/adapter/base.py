"""What every part of the Kafka adapter shares: the admin client, the request counter, the timeout,
and the one way of sending a batch (`_batched`: one batch size, interruptible waits, and only
Kafka's own errors turned into per-resource outcomes; anything else is a bug and surfaces as one)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource

from kgov.cluster.interrupt import wait_futures
from kgov.cluster.kafka.client_settings import KafkaSettings

# Resources per admin request, for every kind of request: 1,500 topics are one request, 10,000 seven.
# Not more: a DescribeConfigs answer costs about 37 KB of memory per topic in confluent-kafka's objects
# (33 entries and their synonyms), and a batch's answer is alive at once (10,000 topics: 413 MB peak
# when the batch was 5,000 and kept whole; see docs/performance.md).
BATCH = 1500
# Requests of one `_batched` call in flight at once: the broker works out the next answer while kgov
# reads the last one, and at most two answers are alive. A plan of 10,000 topics took 3.0 s and
# 193 MB with one request of 3,000 at a time; 2.4 s and 155 MB with two of 1,500.
IN_FLIGHT = 2
# The KRaft controller refuses a request that writes more than 10,000 metadata records ("excessively
# large batch operation"): a write batch is also cut by the records its items make.
MAX_RECORDS = 9000
T = TypeVar("T")

Answer = tuple[Any, KafkaException | None]  # a resource's result, or Kafka's error for it


def chunks(items: Sequence[T], records: Callable[[T], int] | None = None) -> Iterator[Sequence[T]]:
    """Batches of at most BATCH items and, for writes (`records` given), at most MAX_RECORDS records.
    An item heavier than MAX_RECORDS still goes out, alone: the broker then says why it refuses."""
    start = 0
    while start < len(items):
        end, weight = start, 0
        while end < len(items) and end - start < BATCH:
            cost = records(items[end]) if records else 0
            if end > start and weight + cost > MAX_RECORDS:
                break
            weight += cost
            end += 1
        yield items[start:end]
        start = end


def _collect(
    futures: Mapping[Any, Future[Any]],
    out: dict[str, Answer],
    key: Callable[[Any], str],
    keep: Callable[[Any], Any],
    limit: float,
) -> None:
    """One batch's answers into `out`, reduced by `keep`; a future unanswered within `limit` s is
    Kafka's timeout for its resource."""
    wait_futures(futures.values(), limit)  # in slices: Ctrl-C stops the wait
    for k, future in futures.items():
        if not future.done():
            late = KafkaError(KafkaError._TIMED_OUT, f"no answer from Kafka within {limit:g}s")
            out[key(k)] = (None, KafkaException(late))
            continue
        try:
            out[key(k)] = (keep(future.result()), None)
        except KafkaException as exc:
            out[key(k)] = (None, exc)


def error_text(exc: KafkaException) -> str:
    if exc.args and isinstance(exc.args[0], KafkaError):
        err: KafkaError = exc.args[0]
        return f"{err.name()}: {err.str()}"
    return str(exc)


def error_code(exc: KafkaException) -> int | None:
    err = exc.args[0] if exc.args and isinstance(exc.args[0], KafkaError) else None
    return err.code() if err is not None else None


def resource_name(key: object) -> str:
    return key.name if isinstance(key, ConfigResource) else str(key)


class KafkaBase:
    _admin: AdminClient
    _timeout: float
    requests: Counter[str]
    settings: KafkaSettings

    @property
    def principal(self) -> str:
        user = self.settings.client.get("sasl.username")
        if self.settings.aws_iam is not None:  # (its mechanism is OAUTHBEARER too: asked first)
            return "(the IAM identity of kgov's AWS credentials)"
        if self.settings.client.get("sasl.mechanism") == "OAUTHBEARER":
            return "(the one its OAuth token's subject maps to)"
        return f"User:{user}" if user else "(the one its client certificate maps to)"

    def _batched(
        self,
        request: str,
        items: Sequence[T],
        send: Callable[[Sequence[T]], Mapping[Any, Future[Any]]],
        key: Callable[[Any], str] = resource_name,
        records: Callable[[T], int] | None = None,
        keep: Callable[[Any], Any] = lambda result: result,
    ) -> dict[str, Answer]:
        """Send `items` in batches of BATCH, IN_FLIGHT at a time; per resource (named by `key`), its
        result or Kafka's error.

        `keep` reduces each result to what the caller needs as soon as its batch is answered, and the
        batch's futures (which hold the whole answer) are dropped before another batch is sent: the
        memory of a large read is IN_FLIGHT batches' answers, not the sum of them."""
        out: dict[str, Answer] = {}
        limit = self._timeout + 5
        in_flight: deque[Mapping[Any, Future[Any]]] = deque()
        for chunk in chunks(items, records):
            if len(in_flight) == IN_FLIGHT:
                _collect(in_flight.popleft(), out, key, keep, limit)
            self.requests[request] += 1
            in_flight.append(send(chunk))
        while in_flight:
            _collect(in_flight.popleft(), out, key, keep, limit)
        return out

    def _one(self, request: str, send: Callable[[], Future[Any]]) -> Any:
        """One request answered by one future; Kafka's error raised as KafkaException."""
        self.requests[request] += 1
        future = send()
        wait_futures([future], self._timeout + 5)
        if not future.done():
            raise KafkaException(
                KafkaError(KafkaError._TIMED_OUT, f"no answer from Kafka within {self._timeout + 5:g}s")
            )
        return future.result()


def outcome(answers: Mapping[str, Answer]) -> dict[str, str | None]:
    return {name: None if exc is None else error_text(exc) for name, (_, exc) in answers.items()}
