"""AWS MSK IAM without AWS: the settings, the signer called with the configured region, profile and
role, its token handed to librdkafka's oauth_cb and to kafka-python's token provider as it was made,
and every failure a clear kgov error that holds no secret.

The signer library is replaced by a fake module (sys.modules) except in the tests marked `real`,
which sign with the real library (the `aws` extra; skipped where it is not installed) and fake
credentials: signing is local, no AWS is asked.
"""

from __future__ import annotations

import base64
import importlib.util
import sys
import time
import types
from collections.abc import Iterator
from typing import Any

import pytest
from kafka.net.sasl.oauth import AbstractTokenProvider

from kgov import secrets
from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.access_port import UNVERIFIABLE, LoginAttempt
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.client_options import client_config
from kgov.cluster.kafka.adapter.login import verify_logins
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.aws_iam import SIGNER, AwsIamLogin, AwsIamSettings
from kgov.cluster.kafka.client_settings import KafkaSettings, kafka_settings
from kgov.errors import ClusterError, ConfigError
from kgov.redact import redact

MODULE = f"{SIGNER}.MSKAuthTokenProvider"
TOKEN = "aHR0cHM6Ly9rYWZrYS5ldS13ZXN0LTEuYW1hem9uYXdzLmNvbS8_fake-signed-token"
EXPIRY_MS = 1_900_000_000_000
KEY_ID = "AKIAKGOVTESTKEY00001"
SECRET_KEY = "kgovFakeSecretAccessKey/0123456789abcdefXYZ"
SESSION = "kgovFakeSessionToken0123456789+abc/def=="
REAL = importlib.util.find_spec(SIGNER) is not None


def _settings(**kafka: object) -> KafkaSettings:
    env = Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="prod", kafka=kafka)
    return kafka_settings(env)


def _iam(**aws: object) -> KafkaSettings:
    return _settings(bootstrap_servers="b-1.msk:9098", sasl_mechanism="AWS_MSK_IAM", aws=aws)


class FakeSigner(types.ModuleType):
    """The signer module's three entry points, recording how kgov called them."""

    def __init__(self, fail: Exception | None = None) -> None:
        super().__init__(MODULE)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.fail = fail

    def _made(self, name: str, *args: Any) -> tuple[str, int]:
        self.calls.append((name, args))
        if self.fail is not None:
            raise self.fail
        return TOKEN, EXPIRY_MS

    def generate_auth_token(self, *args: Any) -> tuple[str, int]:
        return self._made("default", *args)

    def generate_auth_token_from_profile(self, *args: Any) -> tuple[str, int]:
        return self._made("profile", *args)

    def generate_auth_token_from_role_arn(self, *args: Any) -> tuple[str, int]:
        return self._made("role", *args)


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials in the environment (they must never be shown), no AWS files, no instance role."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/kgov-aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kgov-aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    yield
    secrets.forget()


@pytest.fixture
def signer(monkeypatch: pytest.MonkeyPatch) -> FakeSigner:
    fake = FakeSigner()
    monkeypatch.setitem(sys.modules, MODULE, fake)
    return fake


def _no_secret(text: str) -> None:
    for secret in (SECRET_KEY, SESSION, TOKEN, KEY_ID, "kgovFake"):
        assert secret not in text


# --- settings -------------------------------------------------------------------------------------
def test_iam_settings_send_oauthbearer_over_tls_without_user_or_password() -> None:
    settings = _iam(region="eu-west-1")
    assert settings.client["sasl.mechanism"] == "OAUTHBEARER"
    assert settings.client["security.protocol"] == "SASL_SSL"  # MSK's IAM listener is TLS
    assert "sasl.username" not in settings.client and "sasl.password" not in settings.client
    assert settings.aws_iam is not None
    assert settings.aws_iam.settings == AwsIamSettings("environments.prod.kafka.aws", "eu-west-1")
    assert "eu-west-1" in repr(settings.aws_iam)


@pytest.mark.parametrize(
    ("kafka", "named"),
    [
        ({"sasl_mechanism": "AWS_MSK_IAM"}, "environments.prod.kafka.aws.region"),
        ({"sasl_mechanism": "SCRAM-SHA-512", "aws": {"region": "eu-west-1"}}, "sasl_mechanism"),
        (
            {"sasl_mechanism": "AWS_MSK_IAM", "aws": {"region": "r", "profile": "p", "role_arn": "a"}},
            "not both",
        ),
        ({"sasl_mechanism": "AWS_MSK_IAM", "aws": {"region": "r"}, "username": "u"}, "username"),
        ({"sasl_mechanism": "AWS_MSK_IAM", "aws": {"region": "r", "role_session_name": "s"}}, "role_arn"),
        ({"sasl_mechanism": "AWS_MSK_IAM", "aws": {"region": "r"}, "security_protocol": "SSL"}, "SASL_SSL"),
        ({"sasl_mechanism": "AWS_MSK_IAM", "aws": {"region": "evil.example/x"}}, "aws.region"),
    ],
)
def test_inconsistent_iam_settings_are_config_errors(kafka: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError) as info:
        _settings(bootstrap_servers="b:9098", **kafka)
    assert named in info.value.message


# --- the signer -----------------------------------------------------------------------------------
def test_default_chain_signs_for_the_configured_region(signer: FakeSigner) -> None:
    settings = _iam(region="eu-west-1")
    assert settings.aws_iam is not None
    token, expiry = settings.aws_iam.oauth_cb("principal=ignored")
    assert (token, expiry) == (TOKEN, EXPIRY_MS / 1000)  # as made; librdkafka wants seconds
    assert signer.calls == [("default", ("eu-west-1",))]


def test_profile_and_role_are_passed_to_the_signer(signer: FakeSigner) -> None:
    by_profile = _iam(region="us-east-2", profile="platform")
    assert by_profile.aws_iam is not None
    by_profile.aws_iam.token()
    arn = "arn:aws:iam::123456789012:role/kgov"
    by_role = _iam(region="ap-south-1", role_arn=arn, role_session_name="kgov-ci")
    assert by_role.aws_iam is not None
    by_role.aws_iam.token()
    default_session = _iam(region="ap-south-1", role_arn=arn)
    assert default_session.aws_iam is not None
    default_session.aws_iam.token()
    assert signer.calls == [
        ("profile", ("us-east-2", "platform")),
        ("role", ("ap-south-1", arn, "kgov-ci")),
        ("role", ("ap-south-1", arn)),  # the library's own default session name
    ]


def test_the_first_token_is_used_once_then_each_refresh_signs_anew(signer: FakeSigner) -> None:
    now = [1000.0]
    login = AwsIamLogin(AwsIamSettings("w", "eu-west-1"), clock=lambda: now[0])
    login.prepare()
    assert login.oauth_cb("") == (TOKEN, EXPIRY_MS / 1000)
    assert len(signer.calls) == 1  # prepare's token, handed to the first request
    login.oauth_cb("")
    assert len(signer.calls) == 2
    login.prepare()
    now[0] += 61  # too old to hand out: a new one
    login.oauth_cb("")
    assert len(signer.calls) == 4


def test_without_the_extra_the_error_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, MODULE, None)  # what an absent package gives: ImportError
    settings = _iam(region="eu-west-1")
    assert settings.aws_iam is not None
    with pytest.raises(ConfigError) as info:
        KafkaCluster(settings)
    assert "pip install 'kgov[aws]'" in (info.value.hint or "")
    assert "AWS_MSK_IAM" in info.value.message


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (AttributeError("'NoneType' object has no attribute 'access_key'"), "no AWS credentials found"),
        (ValueError("AWS Credentials can not be empty"), "no AWS credentials found"),
        (RuntimeError(f"odd failure quoting {SECRET_KEY} and {SESSION}"), "(RuntimeError)"),
    ],
)
def test_signer_failures_are_clear_errors_without_secrets(
    monkeypatch: pytest.MonkeyPatch, error: Exception, shown: str
) -> None:
    monkeypatch.setitem(sys.modules, MODULE, FakeSigner(fail=error))
    settings = _iam(region="eu-west-1")
    assert settings.aws_iam is not None
    with pytest.raises(ClusterError) as info:
        KafkaCluster(settings)  # the first token is made before the client: said at once
    assert shown in info.value.message
    assert "environments.prod.kafka.aws" in info.value.message
    _no_secret(info.value.message + (info.value.hint or ""))
    # librdkafka's refresh gets a bare error; kgov's reason is kept for the client's error
    with pytest.raises(RuntimeError) as bare:
        settings.aws_iam.oauth_cb("")
    _no_secret(str(bare.value))
    assert isinstance(settings.aws_iam.failure, ClusterError)


def test_the_token_and_credentials_are_redacted_wherever_quoted(signer: FakeSigner) -> None:
    settings = _iam(region="eu-west-1")
    assert settings.aws_iam is not None
    settings.aws_iam.token()
    quoted = f"library said: token={TOKEN} key={SECRET_KEY} session={SESSION} id={KEY_ID}"
    _no_secret(redact(quoted))
    _no_secret(ClusterError(quoted).message)


# --- the clients ----------------------------------------------------------------------------------
def test_librdkafka_calls_the_callback_and_gets_the_token(
    signer: FakeSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real confluent-kafka client (no broker: port 1) asks kgov's oauth_cb for the token."""
    settings = _settings(
        bootstrap_servers="127.0.0.1:1",
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="AWS_MSK_IAM",
        aws={"region": "eu-west-1"},
        timeout_ms=1000,
    )
    assert settings.aws_iam is not None
    handed: list[tuple[str, float]] = []
    real = settings.aws_iam.oauth_cb

    def spy(config: str) -> tuple[str, float]:
        handed.append(real(config))
        return handed[-1]

    monkeypatch.setattr(settings.aws_iam, "oauth_cb", spy)
    started = time.monotonic()
    cluster = KafkaCluster(settings)
    deadline = time.monotonic() + 10
    while not handed and time.monotonic() < deadline:
        cluster.poll(0.1)
    assert handed == [(TOKEN, EXPIRY_MS / 1000)]
    assert signer.calls == [("default", ("eu-west-1",))]  # prepare's token, handed over once
    with pytest.raises(ClusterError) as info:
        cluster.list_topics()
    assert "cannot reach Kafka" in info.value.message
    _no_secret(info.value.message + (info.value.hint or ""))
    assert time.monotonic() - started < 30


def test_kafka_python_gets_the_same_token_as_oauthbearer(signer: FakeSigner) -> None:
    settings = _iam(region="eu-west-1", profile="platform")
    options = client_config(settings)
    assert options["sasl_mechanism"] == "OAUTHBEARER"
    assert options["security_protocol"] == "SASL_SSL"
    provider = options["sasl_oauth_token_provider"]
    assert isinstance(provider, AbstractTokenProvider)  # what kafka-python checks
    assert provider.token() == TOKEN
    assert signer.calls == [("profile", ("eu-west-1", "platform"))]
    assert "sasl_plain_password" not in options and "sasl_plain_username" not in options
    _no_secret(repr(options))


def test_kafka_python_oauthbearer_sends_the_signed_token(signer: FakeSigner) -> None:
    """kafka-python's own OAUTHBEARER mechanism, given kgov's provider, puts the token in the first
    SASL message (RFC 7628: n,,^Aauth=Bearer <token>^A^A)."""
    from kafka.net.sasl.oauth import SaslMechanismOAuth

    options = client_config(_iam(region="eu-west-1"))
    mechanism = SaslMechanismOAuth(**options)
    assert mechanism.auth_bytes() == f"n,,\x01auth=Bearer {TOKEN}\x01\x01".encode()
    assert signer.calls == [("default", ("eu-west-1",))]


def test_kafka_python_client_fails_early_and_clearly_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, MODULE, FakeSigner(fail=ValueError("AWS Credentials can not be empty")))
    made: list[dict[str, Any]] = []
    reassign = KafkaReassign(_iam(region="eu-west-1"), factory=lambda **kw: made.append(kw))
    with pytest.raises(ClusterError, match="no AWS credentials found"):
        reassign.describe_brokers()
    assert made == []  # no client was made to wait on a failing login


def test_scram_logins_are_unverifiable_on_the_iam_listener(signer: FakeSigner) -> None:
    results = verify_logins(_iam(region="eu-west-1"), [LoginAttempt("orders", "SCRAM-SHA-512", "pw")])
    assert results["orders"].verdict == UNVERIFIABLE
    assert signer.calls == []


# --- the real signer library (the aws extra), fake credentials: signing is local ------------------
@pytest.mark.skipif(not REAL, reason="the aws extra (aws-msk-iam-sasl-signer-python) is not installed")
def test_real_signer_token_is_for_the_region_and_holds_no_secret_key() -> None:
    settings = _iam(region="eu-west-1")
    assert settings.aws_iam is not None
    token, expiry = settings.aws_iam.oauth_cb("")
    url = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    assert url.startswith("https://kafka.eu-west-1.amazonaws.com/?Action=kafka-cluster%3AConnect")
    assert SECRET_KEY not in url  # SigV4 signs with the secret, never sends it
    assert 0 < expiry - time.time() <= 900
    _no_secret(redact(f"{token} {SECRET_KEY} {SESSION}"))


@pytest.mark.skipif(not REAL, reason="the aws extra (aws-msk-iam-sasl-signer-python) is not installed")
def test_real_signer_without_credentials_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    login = _iam(region="eu-west-1").aws_iam
    assert login is not None
    with pytest.raises(ClusterError) as info:
        login.token()
    assert "no AWS credentials found" in info.value.message
    assert "AWS_ACCESS_KEY_ID" in (info.value.hint or "")


@pytest.mark.skipif(not REAL, reason="the aws extra (aws-msk-iam-sasl-signer-python) is not installed")
def test_real_signer_with_an_unknown_profile_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    login = _iam(region="eu-west-1", profile="kgov-no-such-profile").aws_iam
    assert login is not None
    with pytest.raises(ClusterError) as info:
        login.token()
    assert "kgov-no-such-profile" in info.value.message
    assert "profile" in (info.value.hint or "")
