"""Issue 23 part 2: SASL OAUTHBEARER with OIDC client credentials, against the sandbox's OAUTH listener
and token issuer (kgov/sandbox/issuer.py; the brokers check tokens against its JWKS).

kgov runs as a separate process here so that everything it writes is captured, librdkafka's own
output included: no output, and no plan file, holds the client secret or a token (a JWT begins
`eyJ`, the base64 of `{"`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka.admin import AdminClient

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.registry.adapter import HttpRegistry, registry_settings
from kgov.sandbox.oauth import EXPIRED_SCOPE, WRONG_KEY_SCOPE
from tests.support import SETTINGS, topic_doc

from .kgovtest import unique_service

REPO = Path(__file__).resolve().parents[2]
JWT_START = "eyJ"

OAUTH = {
    "token_endpoint_url": "${env:KGOV_OAUTH_TOKEN_URL}",
    "client_id": "${env:KGOV_OAUTH_CLIENT_ID}",
    "client_secret": "${env:KGOV_OAUTH_CLIENT_SECRET}",
    "scope": "${env:T_OAUTH_SCOPE}",  # a word like "kafka" would be redacted from messages as this reference
}


@pytest.fixture
def catalog(tmp_path: Path, sandbox: dict[str, str]) -> tuple[Path, str]:
    """A catalog whose environment logs in to Kafka and the registry with OAuth tokens only."""
    service = unique_service()
    settings: dict[str, Any] = {
        **SETTINGS,
        "environments": {
            "local": {
                "kafka": {
                    "bootstrap_servers": "${env:KGOV_BOOTSTRAP_OAUTH}",
                    "security_protocol": "SASL_PLAINTEXT",
                    "sasl_mechanism": "OAUTHBEARER",
                    "timeout_ms": 6000,
                    "oauth": OAUTH,
                },
                "schema_registry": {"url": "${env:KGOV_SCHEMA_REGISTRY_URL}", "oauth": OAUTH},
            }
        },
    }
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    topics = {"service": service, "owner": "team-test", "topics": [topic_doc(f"{service}.created", 2)]}
    (root / "topics" / f"{service}.yaml").write_text(yaml.safe_dump(topics, sort_keys=False))
    return root, f"{service}.created"


def _kgov(*args: str, scope: str = "kgov.test", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kgov", *args],
        env={**os.environ, "PYTHONPATH": str(REPO), "T_OAUTH_SCOPE": scope, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _shows_no_secret(*texts: str) -> None:
    secret = os.environ["KGOV_OAUTH_CLIENT_SECRET"]
    for text in texts:
        assert secret not in text
        assert JWT_START not in text


def test_a_token_login_plans_and_applies_a_topic(catalog: tuple[Path, str], tmp_path: Path) -> None:
    root, topic = catalog
    plan_file = tmp_path / "plan.json"
    plan = _kgov("plan", "--env", "local", "--catalog", str(root), "--out", str(plan_file))
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert f"+ topic {topic}" in plan.stdout
    applied = _kgov("apply", str(plan_file), "--env", "local", "--catalog", str(root))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    _shows_no_secret(plan.stdout, plan.stderr, applied.stdout, applied.stderr, plan_file.read_text("utf-8"))
    # an independent client (PLAINTEXT, no token) sees the topic as planned
    client = AdminClient({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
    metadata = client.list_topics(topic, timeout=15)
    assert metadata.topics[topic].error is None and len(metadata.topics[topic].partitions) == 2
    again = _kgov("plan", "--env", "local", "--catalog", str(root), "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr  # converged, read over the token login


@pytest.mark.parametrize(
    ("scope", "env", "says"),
    [
        (EXPIRED_SCOPE, {}, ""),  # librdkafka refuses to send an expired token
        (WRONG_KEY_SCOPE, {}, ""),  # the broker refuses a token its JWKS did not sign
        ("kgov.test", {"KGOV_OAUTH_CLIENT_SECRET": "not-the-secret"}, "invalid_client"),  # the issuer refuses
        ("kgov.test", {"KGOV_OAUTH_TOKEN_URL": "http://127.0.0.1:9/token"}, ""),  # nothing listens there
    ],
    ids=["expired", "wrongly-signed", "wrong-secret", "unreachable-endpoint"],
)
def test_a_refused_token_is_a_clear_error_without_secrets(
    catalog: tuple[Path, str], scope: str, env: dict[str, str], says: str
) -> None:
    root, _ = catalog
    result = _kgov("plan", "--env", "local", "--catalog", str(root), scope=scope, **env)
    assert result.returncode == 1
    assert "did not take kgov's OAuth login" in result.stderr and says in result.stderr
    assert "kafka.oauth" in result.stderr  # the hint names the block to check
    assert "Traceback" not in result.stderr
    _shows_no_secret(result.stdout, result.stderr)
    assert env.get("KGOV_OAUTH_CLIENT_SECRET", JWT_START) not in result.stdout + result.stderr


def test_the_registry_takes_a_bearer_login_and_apicurio_ignores_it(
    sandbox: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T_OAUTH_SCOPE", "registry")
    block = {"url": "${env:KGOV_SCHEMA_REGISTRY_URL}", "oauth": OAUTH}
    env = Environment(Source("kgov.yaml", YamlDoc({}, {})), (), "local", {}, block)
    registry = HttpRegistry(registry_settings(env))
    assert isinstance(registry.subjects(), list)  # a token was fetched from the issuer and sent
    plain = Environment(Source("kgov.yaml", YamlDoc({}, {})), (), "local", {}, {"url": block["url"]})
    assert isinstance(HttpRegistry(registry_settings(plain)).subjects(), list)


def test_the_reassignment_client_logs_in_with_a_token_from_the_same_credentials(
    sandbox: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """kafka-python (reassignments, log dirs, quotas) has no OIDC of its own: kgov's token provider."""
    from kgov.cluster.kafka.adapter.reassign import KafkaReassign
    from kgov.cluster.kafka.client_settings import kafka_settings

    monkeypatch.setenv("T_OAUTH_SCOPE", "kgov.test")
    block = {
        "bootstrap_servers": "${env:KGOV_BOOTSTRAP_OAUTH}",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "OAUTHBEARER",
        "oauth": OAUTH,
    }
    env = Environment(Source("kgov.yaml", YamlDoc({}, {})), (), "local", block)
    client = KafkaReassign(kafka_settings(env))
    try:
        assert [b.id for b in client.describe_brokers()]  # answered over the OAUTH listener
    finally:
        client.close()


@pytest.mark.parametrize("scope", [EXPIRED_SCOPE, WRONG_KEY_SCOPE])
def test_the_brokers_refuse_an_expired_or_wrongly_signed_token_themselves(
    sandbox: dict[str, str], monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    """librdkafka will not send an expired token; kafka-python's login does, so the broker's own
    validation (exp, signature against the JWKS) is what refuses it here."""
    from kgov.cluster.kafka.adapter.reassign import KafkaReassign
    from kgov.cluster.kafka.client_settings import kafka_settings
    from kgov.errors import ClusterError

    monkeypatch.setenv("T_OAUTH_SCOPE", scope)
    block = {
        "bootstrap_servers": "${env:KGOV_BOOTSTRAP_OAUTH}",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "OAUTHBEARER",
        "timeout_ms": 3000,
        "oauth": OAUTH,
    }
    env = Environment(Source("kgov.yaml", YamlDoc({}, {})), (), "local", block)
    client = KafkaReassign(kafka_settings(env))
    try:
        with pytest.raises(ClusterError) as refused:
            client.describe_brokers()
    finally:
        client.close()
    text = f"{refused.value.message} {refused.value.hint}"
    assert "kafka.oauth" in text
    _shows_no_secret(text)
