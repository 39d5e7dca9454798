"""Password verification by a real SASL login: ok, failed, unverifiable; concurrent and bounded."""

from __future__ import annotations

import time

from kgov.cluster.kafka.access_port import FAILED, OK, UNVERIFIABLE, LoginAttempt, ScramDelete, ScramUpsert
from kgov.cluster.kafka.adapter.login import verify_logins
from kgov.cluster.kafka.client_settings import KafkaSettings
from tests.integration.access_support import admin_cluster, admin_settings
from tests.support import unique_service


def test_right_wrong_and_unknown() -> None:
    right, wrong = unique_service(), unique_service()
    cluster = admin_cluster()
    upserts = [
        ScramUpsert(right, "SCRAM-SHA-512", 4096, "pw-right"),
        ScramUpsert(wrong, "SCRAM-SHA-256", 4096, "pw"),
    ]
    assert set(cluster.alter_scram(upserts, []).values()) == {None}
    try:
        got = cluster.verify_logins(
            [
                LoginAttempt(right, "SCRAM-SHA-512", "pw-right"),
                LoginAttempt(wrong, "SCRAM-SHA-256", "not-pw"),
                LoginAttempt("nobody-" + right, "SCRAM-SHA-512", "pw"),
            ]
        )
        assert {u: r.verdict for u, r in got.items()} == {right: OK, wrong: FAILED, "nobody-" + right: FAILED}
        assert "pw" not in repr(got)
    finally:
        cluster.alter_scram([], [ScramDelete(right, "SCRAM-SHA-512"), ScramDelete(wrong, "SCRAM-SHA-256")])


def test_unreachable_is_unverifiable_within_the_bound() -> None:
    s = admin_settings()
    dead = KafkaSettings("127.0.0.1:1", 1.0, {**s.client, "bootstrap.servers": "127.0.0.1:1"})
    start = time.monotonic()
    attempts = [LoginAttempt(f"u{i}", "SCRAM-SHA-512", "pw") for i in range(16)]
    got = verify_logins(dead, attempts, timeout_s=1.5)
    assert time.monotonic() - start < 10  # concurrent: not 16 times 1.5 s (24 s)
    assert {r.verdict for r in got.values()} == {UNVERIFIABLE}
    assert "1.5s" in got["u0"].reason


def test_without_sasl_nothing_is_tried() -> None:
    plain = KafkaSettings("x:1", 1.0, {"bootstrap.servers": "x:1", "security.protocol": "SSL"})
    got = verify_logins(plain, [LoginAttempt("u", "SCRAM-SHA-512", "pw")])
    assert got["u"].verdict == UNVERIFIABLE and "SSL" in got["u"].reason
