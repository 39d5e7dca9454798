"""OAUTHBEARER for kafka-python (the reassignment and quota client, kgov/cluster/kafka/adapter/reassign.py).

librdkafka fetches its own token (OIDC); kafka-python takes a token provider instead, and this one
makes the same client-credentials login with the same settings (kgov/cluster/oauth.py).
"""

from __future__ import annotations

import threading
import time

from kafka.net.sasl.oauth import AbstractTokenProvider

from kgov.cluster.oauth import OAuthClient, fetch_token


class TokenProvider(AbstractTokenProvider):  # type: ignore[misc]  # kafka-python: untyped
    """OAUTHBEARER for kafka-python: a token from the client-credentials grant (kgov/cluster/oauth.py),
    the same login librdkafka makes, kept for REUSE_S (kafka-python asks at every connection)."""

    REUSE_S = 240.0

    def __init__(self, client: OAuthClient, timeout_s: float) -> None:
        super().__init__()
        self._client, self._timeout = client, timeout_s
        self._token: tuple[float, str] | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            now = time.monotonic()
            if self._token is None or now - self._token[0] > self.REUSE_S:
                self._token = (now, fetch_token(self._client, "kafka.oauth", self._timeout))
            return self._token[1]

    def extensions(self) -> dict[str, str]:
        return dict(self._client.extensions)
