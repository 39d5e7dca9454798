"""AWS MSK IAM login: a token signed with the caller's AWS credentials, sent as SASL OAUTHBEARER.

MSK's IAM listener takes the token AWS's signer library makes (aws-msk-iam-sasl-signer-python, the
optional extra `kgov[aws]`): a SigV4-presigned `kafka-cluster:Connect` URL, base64url, valid 15
minutes. confluent-kafka asks for it through `oauth_cb`, kafka-python through a token provider
(kgov/cluster/kafka/adapter/aws_token.py); both get theirs from one `AwsIamLogin`.

The credentials come from the standard AWS chain (environment, config files, SSO, container or
instance role) through botocore, from a named profile, or by assuming a role with STS. kgov never
reads them itself: the signed token, the secret access key and the session token are remembered for
redaction (kgov/redact.py) and never put in a message, and a failure names only what went wrong
(the error's kind, e.g. no credentials) and the settings as written.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kgov.errors import ClusterError, ConfigError
from kgov.redact import remember

_REGION = re.compile(r"[a-z0-9-]{1,40}")  # as the schema's pattern
SIGNER = "aws_msk_iam_sasl_signer"  # the module of PyPI's aws-msk-iam-sasl-signer-python
INSTALL = "pip install 'kgov[aws]'"
# A token made before the client exists (to fail early and clearly) is handed to the client's first
# request for one if it is this fresh; every later request makes a new token.
FIRST_TOKEN_MAX_AGE_S = 60.0
# Why an MSK IAM connection fails once a token was made (kgov cannot tell these apart: MSK answers
# only "authentication failed")
AWS_IAM_HINT = (
    "AWS MSK IAM: bootstrap_servers must be the cluster's IAM listener (port 9098, SASL_SSL), "
    "kafka.aws.region the cluster's region, and the credentials' IAM policy must allow "
    "kafka-cluster:Connect on it; raise kafka.timeout_ms for a slow network"
)
# Environment variables of the AWS chain that hold secrets: redacted should a library quote them.
_SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
_SHOWN_ENV = ("AWS_ACCESS_KEY_ID",)  # not a secret, but nothing kgov needs to show either


def _signer() -> Any:
    try:
        module = importlib.import_module(f"{SIGNER}.MSKAuthTokenProvider")
    except ImportError:
        raise ConfigError(
            "sasl_mechanism AWS_MSK_IAM needs AWS's signer library, which is not installed",
            hint=f"install kgov's aws extra: {INSTALL}",
        ) from None
    return module


@dataclass(frozen=True)
class AwsIamSettings:
    """The `kafka.aws` block: safe to show (no secret is written there)."""

    where: str  # e.g. environments.prod.kafka.aws
    region: str
    profile: str | None = None
    role_arn: str | None = None
    role_session_name: str | None = None


@dataclass
class AwsIamLogin:
    """Makes tokens for one environment; thread-safe (librdkafka and kafka-python call from their own
    threads). `failure` keeps why the last token could not be made, for the client's error."""

    settings: AwsIamSettings
    clock: Callable[[], float] = time.time
    failure: ClusterError | ConfigError | None = None
    _first: tuple[str, float, float] | None = field(default=None, repr=False)  # token, expiry, made at
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __repr__(self) -> str:
        return f"AwsIamLogin(region={self.settings.region!r})"

    def prepare(self) -> None:
        """Make the first token now: no extra, no credentials or a refused role is said here, before
        any client waits on a callback that fails."""
        token, expiry = self.token()
        with self._lock:
            self._first = (token, expiry, self.clock())

    def token(self) -> tuple[str, float]:
        """A new token and its expiry (seconds since the epoch), or a ClusterError/ConfigError."""
        with self._lock:
            first, self._first = self._first, None
        if first is not None and self.clock() - first[2] <= FIRST_TOKEN_MAX_AGE_S:
            return first[0], first[1]
        signer = _signer()
        s = self.settings
        for name in (*_SECRET_ENV, *_SHOWN_ENV):
            if len(os.environ.get(name, "")) >= 8:
                remember(os.environ[name], f"(${name})", secret=name in _SECRET_ENV)
        try:
            if s.role_arn:
                extra = (s.role_session_name,) if s.role_session_name else ()
                made = signer.generate_auth_token_from_role_arn(s.region, s.role_arn, *extra)
            elif s.profile:
                made = signer.generate_auth_token_from_profile(s.region, s.profile)
            else:
                made = signer.generate_auth_token(s.region)
            token, expiry_ms = str(made[0]), float(made[1])
        except Exception as exc:  # botocore's and the signer's own errors, whatever their class
            error = _failure(s, exc)
            self.failure = error
            raise error from None
        remember(token, "(the AWS MSK IAM token)")
        self.failure = None
        return token, expiry_ms / 1000

    def oauth_cb(self, _config: str) -> tuple[str, float]:
        """librdkafka's token refresh (confluent-kafka `oauth_cb`): the token as the signer made it.
        A failure raises a bare error (librdkafka reports it as an authentication failure); the
        reason, kgov's message, stays in `failure`."""
        try:
            return self.token()
        except (ClusterError, ConfigError):
            raise RuntimeError("kgov could not make an AWS MSK IAM token") from None


def _failure(s: AwsIamSettings, exc: Exception) -> ClusterError:
    kind = type(exc).__name__
    # botocore's messages name what is missing (a profile, a region, the credentials), never a key;
    # only these classes' own text is quoted, others by their class name only
    quoted = kind in _QUOTED and len(str(exc)) <= 300
    detail = f"{kind}: {exc}" if quoted else kind
    where = s.where
    # the signer finds no credentials as None.access_key (1.0.2) or as empty ones (a ValueError)
    none = kind == "AttributeError" and "'NoneType'" in str(exc) and "access_key" in str(exc)
    if none or (kind == "ValueError" and "Credentials" in str(exc)):
        detail = "no AWS credentials found"
    if detail == "no AWS credentials found" or kind == "NoCredentialsError":
        hint = (
            "give kgov AWS credentials through the standard chain (AWS_ACCESS_KEY_ID/"
            f"AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, an instance or task role), or set {where}.profile"
        )
    elif kind == "ProfileNotFound":
        hint = f"check {where}.profile against the profiles of ~/.aws/config"
    elif s.role_arn:
        hint = f"check {where}.role_arn and that the caller may assume it (sts:AssumeRole)"
    else:
        hint = f"check {where} and the AWS credentials kgov runs with"
    return ClusterError(f"cannot make the AWS MSK IAM token for {where} ({detail})", hint=hint)


# botocore errors whose text says what is missing and holds no secret
_QUOTED = frozenset(
    {
        "NoCredentialsError",
        "ProfileNotFound",
        "NoRegionError",
        "PartialCredentialsError",
        "ClientError",
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "SSOTokenLoadError",
        "TokenRetrievalError",
        "UnauthorizedSSOTokenError",
        "CredentialRetrievalError",
    }
)


def aws_iam_settings(block: Mapping[str, object], where: str) -> AwsIamSettings:
    """The `aws` block of an environment's kafka settings (the schema checked its shape at lint;
    checked again here for a settings file that skipped lint)."""
    aws = block.get("aws")
    if not isinstance(aws, Mapping) or not isinstance(aws.get("region"), str) or not aws["region"]:
        raise ConfigError(
            f"{where}.sasl_mechanism AWS_MSK_IAM needs {where}.aws.region",
            hint="write e.g. aws: {region: eu-west-1} under the environment's kafka block",
        )
    if not _REGION.fullmatch(aws["region"]):  # it becomes the signed URL's host name
        raise ConfigError(f"{where}.aws.region must be an AWS region name such as eu-west-1")
    for field_name in ("username", "password"):
        if field_name in block:
            raise ConfigError(f"{where}.{field_name} is not used with sasl_mechanism AWS_MSK_IAM: remove it")

    def text(key: str) -> str | None:
        value = aws.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}.aws.{key} must be a string")
        return value

    profile, role_arn = text("profile"), text("role_arn")
    if profile and role_arn:
        raise ConfigError(
            f"{where}.aws: give profile or role_arn, not both",
            hint="role_arn assumes the role with the default chain's credentials",
        )
    if text("role_session_name") and not role_arn:
        raise ConfigError(f"{where}.aws.role_session_name is used only with role_arn")
    return AwsIamSettings(f"{where}.aws", str(aws["region"]), profile, role_arn, text("role_session_name"))
