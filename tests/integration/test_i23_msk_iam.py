"""AWS MSK IAM against the sandbox's SASL_SSL listener (which has no IAM: SCRAM only).

What this proves, short of AWS: kgov's AWS_MSK_IAM settings make real clients (confluent-kafka and
kafka-python) that librdkafka and kafka-python accept; librdkafka calls kgov's oauth_cb and gets the
token AWS's real signer library made (fake credentials: signing is local); both clients then open TLS
to the broker and ask for SASL OAUTHBEARER, which the broker refuses (it offers SCRAM only), and kgov
says so clearly: exit 1, no traceback, no credential or token printed. What it cannot prove: that MSK
accepts the token (that needs AWS), nor that the token is sent (the broker refuses the mechanism
before any token is asked for).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kgov import secrets
from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.client_settings import KafkaSettings, kafka_settings
from kgov.errors import ClusterError

REPO = Path(__file__).resolve().parents[2]
KEY_ID = "AKIAKGOVINTEGRATION1"
SECRET_KEY = "kgovItFakeSecretKey/0123456789abcdefXYZ"
SESSION = "kgovItFakeSession0123456789+abc/def=="
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": KEY_ID,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_SESSION_TOKEN": SESSION,
    "AWS_CONFIG_FILE": "/nonexistent/kgov-aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/kgov-aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
}
KAFKA = {
    "bootstrap_servers": "${env:KGOV_BOOTSTRAP_SSL}",
    "security_protocol": "SASL_SSL",
    "sasl_mechanism": "AWS_MSK_IAM",
    "ssl_ca_location": "${env:KGOV_CA_FILE}",
    "aws": {"region": "eu-west-1"},
    "timeout_ms": 5000,
}
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("aws_msk_iam_sasl_signer") is None,
    reason="the aws extra (aws-msk-iam-sasl-signer-python) is not installed",
)


@pytest.fixture(autouse=True)
def _fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield
    secrets.forget()


def _settings() -> KafkaSettings:
    return kafka_settings(Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="msk", kafka=KAFKA))


def _no_secret(text: str, token: str | None = None) -> None:
    for secret in (KEY_ID, SECRET_KEY, SESSION, "kgovItFake", *([token] if token else [])):
        assert secret not in text


def test_librdkafka_takes_the_signed_token_then_the_broker_refuses_the_mechanism(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings()
    assert settings.aws_iam is not None
    handed: list[str] = []
    real = settings.aws_iam.oauth_cb

    def spy(config: str) -> tuple[str, float]:
        token, expiry = real(config)
        handed.append(token)
        return token, expiry

    monkeypatch.setattr(settings.aws_iam, "oauth_cb", spy)
    cluster = KafkaCluster(settings)
    with pytest.raises(ClusterError) as info:
        cluster.list_topics()
    assert handed, "librdkafka never asked kgov for the token"
    assert len(handed[0]) > 100  # a presigned URL, base64url
    message = info.value.message + " " + (info.value.hint or "")
    assert "OAUTHBEARER" in message  # the broker's refusal, as librdkafka reports it
    assert "AWS MSK IAM" in message and "9098" in message  # kgov's hint for IAM
    _no_secret(message, handed[0])


def test_kafka_python_asks_for_oauthbearer_and_is_refused_clearly() -> None:
    settings = _settings()
    with pytest.raises(ClusterError) as info:
        KafkaReassign(settings).describe_brokers()
    message = info.value.message + " " + (info.value.hint or "")
    # the last failure kafka-python logged: the refused mechanism, or the disconnect after it
    assert "cannot reach Kafka" in message
    assert "AWS MSK IAM" in message
    _no_secret(message)


def test_plan_exits_1_printing_no_credential(tmp_path: Path, sandbox: dict[str, str]) -> None:
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text(yaml.safe_dump({"version": 1, "environments": {"msk": {"kafka": KAFKA}}}))
    path = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    proc = subprocess.run(
        [sys.executable, "-m", "kgov", "plan", "--catalog", str(root), "--env", "msk"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **sandbox, **AWS_ENV, "PYTHONPATH": os.pathsep.join(path), "COLUMNS": "400"},
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "OAUTHBEARER" in output
    assert "Traceback" not in output
    _no_secret(output)
