"""Password verification by login: a SASL handshake as each user, bounded in time, concurrent.

Kafka never returns a password, so the only way to know that a SCRAM user's password is the
catalog's is to log in with it. The password goes to librdkafka and nowhere else: not in a result,
a log line or an error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer

from kgov.cluster.kafka.access_port import FAILED, OK, UNVERIFIABLE, LoginAttempt, LoginResult
from kgov.cluster.kafka.client_settings import KafkaSettings

STEP_S = 0.25  # how often a waiting login looks for an authentication error

_quiet = logging.getLogger("kgov.librdkafka.login")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False

# The environment's connection, minus kgov's own identity: each attempt brings the user's.
_IDENTITY = ("sasl.username", "sasl.password", "sasl.mechanism", "client.id")


def verify_logins(
    settings: KafkaSettings, attempts: Sequence[LoginAttempt], timeout_s: float = 10.0, workers: int = 16
) -> Mapping[str, LoginResult]:
    """One login per user, at most `workers` at once; each gives up after timeout_s (unverifiable)."""
    protocol = settings.client.get("security.protocol", "PLAINTEXT").upper()
    if not protocol.startswith("SASL"):
        why = f"kgov connects with {protocol}, not SASL: no SCRAM login to try"
        return {a.user: LoginResult(a.user, UNVERIFIABLE, why) for a in attempts}
    if settings.aws_iam is not None:  # MSK's IAM listener takes no SCRAM login
        why = "kgov logs in with AWS MSK IAM: no SCRAM login to try on that listener"
        return {a.user: LoginResult(a.user, UNVERIFIABLE, why) for a in attempts}
    base = {
        k: v
        for k, v in settings.client.items()
        if k not in _IDENTITY and not k.startswith("sasl.oauthbearer.")  # kgov's own OAuth login
    }
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(attempts)))) as pool:
        results = list(pool.map(lambda a: _login(base, a, timeout_s), attempts))
    return {r.user: r for r in results}


def _login(base: Mapping[str, str], attempt: LoginAttempt, timeout_s: float) -> LoginResult:
    errors: list[KafkaError] = []
    conf: dict[str, Any] = {
        **base,
        "client.id": "kgov-login-check",
        "sasl.mechanism": attempt.mechanism,
        "sasl.username": attempt.user,
        "sasl.password": attempt.password,
        "logger": _quiet,
        "error_cb": errors.append,
    }
    client = Producer(conf)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                client.list_topics(timeout=min(STEP_S, max(0.05, deadline - time.monotonic())))
                return LoginResult(attempt.user, OK)
            except KafkaException:
                client.poll(0)  # serves error_cb: an authentication failure arrives there
            if any(e.code() == KafkaError._AUTHENTICATION for e in errors):
                return LoginResult(attempt.user, FAILED, "authentication failed")
            if time.monotonic() >= deadline:
                return LoginResult(attempt.user, UNVERIFIABLE, f"no answer from Kafka within {timeout_s:g}s")
    finally:
        client.flush(0)
