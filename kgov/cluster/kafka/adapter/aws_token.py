"""AWS MSK IAM for kafka-python (the reassignment, quota and broker-settings client).

kafka-python 3.x has an `AWS_MSK_IAM` mechanism of its own, but it signs with botocore's default
session only (no profile, no role, the region from AWS_DEFAULT_REGION). kgov instead sends the token
of AWS's signer library, the one the confluent-kafka client sends, as SASL OAUTHBEARER (which MSK's
IAM listener accepts too): one login, the same region, profile and role for both clients.
"""

from __future__ import annotations

from kafka.net.sasl.oauth import AbstractTokenProvider

from kgov.cluster.kafka.aws_iam import AwsIamLogin


class _AwsTokenProvider(AbstractTokenProvider):  # type: ignore[misc]
    def __init__(self, login: AwsIamLogin) -> None:
        super().__init__()
        self._login = login

    def __repr__(self) -> str:
        return f"AwsTokenProvider({self._login!r})"

    def token(self) -> str:
        return self._login.token()[0]


def aws_token_provider(login: AwsIamLogin) -> AbstractTokenProvider:
    """kafka-python's `sasl_oauth_token_provider` for an AWS MSK IAM login."""
    return _AwsTokenProvider(login)
