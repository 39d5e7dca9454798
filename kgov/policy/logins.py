"""Logins: the connection settings of each environment that the schema alone cannot check (settings
that only make sense together). The same checks run again when kgov connects
(kgov/cluster/kafka/aws_iam.py, kgov/cluster/registry/mtls.py): lint says where, with file:line:col.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kgov.catalog.model import Environment
from kgov.diagnostics import Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule
from kgov.secrets import REF

_ROLE = "'arn:aws:iam::123456789012:role/kgov'"
_IAM = (
    "version: 1\nenvironments:\n  prod:\n    kafka:\n      bootstrap_servers: b-1.msk:9098\n"
    "      sasl_mechanism: AWS_MSK_IAM\n"
)


@rule(
    "login-settings",
    "login settings that fit together",
    severity=Severity.ERROR,
    message="an environment's login settings do not fit together",
    hint="see docs/logins-aws.md",
    doc="""
Settings of an environment's login that are each valid but not together:

- `kafka.sasl_mechanism: AWS_MSK_IAM` needs `kafka.aws.region`, a SASL `security_protocol` (SASL_SSL,
  the default with it), and no `username`/`password` (the AWS credentials come from the standard
  AWS chain, never from the catalog); `kafka.aws` is used only with `AWS_MSK_IAM`; `aws.profile` and
  `aws.role_arn` are alternatives, and `aws.role_session_name` goes with `role_arn`.
- `schema_registry.ssl_key_location` and `ssl_key_password` go with `ssl_certificate_location` (mTLS),
  which needs an `https://` url.

kgov checks the same again when it connects; lint says where.
""",
    examples=(
        Example(False, {"kgov.yaml": _IAM}, line=6, note="AWS_MSK_IAM without kafka.aws.region"),
        Example(
            False,
            {"kgov.yaml": _IAM + "      aws: {region: eu-west-1}\n      username: kgov\n"},
            line=8,
            note="a user name with AWS_MSK_IAM",
        ),
        Example(
            False,
            {
                "kgov.yaml": "version: 1\nenvironments:\n  prod:\n    kafka: {bootstrap_servers: 'k:9092'}\n"
                "    schema_registry:\n      url: http://registry:8081\n"
                "      ssl_certificate_location: /etc/kgov/kgov.pem\n"
            },
            line=7,
            note="a client certificate on an http:// registry",
        ),
        Example(
            True,
            {"kgov.yaml": _IAM + "      aws:\n        region: eu-west-1\n        role_arn: " + _ROLE + "\n"},
        ),
    ),
)
def check_logins(ctx: Context) -> Iterator[Finding]:
    for env in ctx.catalog.settings.environments.values():  # every environment, whatever --env says
        yield from _aws_iam(env)
        yield from _registry_mtls(env)


def _aws_iam(env: Environment) -> Iterator[Finding]:
    kafka, name = env.kafka, env.name
    iam = kafka.get("sasl_mechanism") == "AWS_MSK_IAM"
    aws = kafka.get("aws")
    if not iam:
        if "aws" in kafka:
            yield Finding(
                env.loc("kafka", "aws"),
                f"environment '{name}': kafka.aws is set, but kafka.sasl_mechanism is not AWS_MSK_IAM",
                "write sasl_mechanism: AWS_MSK_IAM to log in with AWS IAM, or remove the aws block",
            )
        return
    if not isinstance(aws, Mapping) or "region" not in aws:
        yield Finding(
            env.loc("kafka", "sasl_mechanism"),
            f"environment '{name}': sasl_mechanism AWS_MSK_IAM needs kafka.aws.region",
            "write e.g. aws: {region: eu-west-1} in the kafka block",
        )
    protocol = kafka.get("security_protocol")
    if isinstance(protocol, str) and not protocol.startswith("SASL"):
        yield Finding(
            env.loc("kafka", "security_protocol"),
            f"environment '{name}': AWS_MSK_IAM is a SASL login: security_protocol must be SASL_SSL",
        )
    for field in ("username", "password"):
        if field in kafka:
            yield Finding(
                env.loc("kafka", field),
                f"environment '{name}': kafka.{field} is not used with AWS_MSK_IAM",
                "remove it: the AWS credentials come from the standard AWS chain",
            )
    if isinstance(aws, Mapping):
        if "profile" in aws and "role_arn" in aws:
            yield Finding(
                env.loc("kafka", "aws", "role_arn"),
                f"environment '{name}': kafka.aws gives both profile and role_arn",
                "keep one: role_arn assumes the role with the default chain's credentials",
            )
        if "role_session_name" in aws and "role_arn" not in aws:
            yield Finding(
                env.loc("kafka", "aws", "role_session_name"),
                f"environment '{name}': kafka.aws.role_session_name is used only with role_arn",
            )


def _registry_mtls(env: Environment) -> Iterator[Finding]:
    registry, name = env.schema_registry or {}, env.name
    if "ssl_certificate_location" not in registry:
        for field in ("ssl_key_location", "ssl_key_password"):
            if field in registry:
                yield Finding(
                    env.loc("schema_registry", field),
                    f"environment '{name}': schema_registry.{field} is set without ssl_certificate_location",
                )
        return
    url = registry.get("url")
    if isinstance(url, str) and not REF.search(url) and not url.lower().startswith("https://"):
        yield Finding(
            env.loc("schema_registry", "ssl_certificate_location"),
            f"environment '{name}': a client certificate needs an https:// schema_registry.url",
        )
