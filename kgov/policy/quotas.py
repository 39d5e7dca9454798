"""Client quota rules: rates Kafka would refuse or kgov cannot read, and a cluster file's quota for a
principal that no acls file declares (the quota kind, kgov/kinds/quotas/)."""

from __future__ import annotations

from collections.abc import Iterator

from kgov.catalog.grants import principal_for
from kgov.catalog.model import QuotaSpec
from kgov.diagnostics import Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule
from kgov.quota_values import QuotaValueError, kafka_value

_ENV = "version: 1\nenvironments:\n  prod:\n    kafka: {bootstrap_servers: 'b:9092'}\n"
_USERS = "quotas:\n  users:\n"
_ORDERS = "service: orders\nprincipal: User:orders\nquotas:\n"  # an acls file; its quotas block follows


def _specs(ctx: Context) -> Iterator[QuotaSpec]:
    """Every quota block with its client ids: the acls files' (all environments) and the cluster
    files' of the environments checked."""
    blocks: list[QuotaSpec] = [af.quotas for af in ctx.catalog.access_files if af.quotas is not None]
    names = {e.name for e in ctx.environments}
    for cluster in ctx.catalog.cluster_files.values():
        if cluster.environment in names:
            blocks += [*cluster.quota_defaults.values(), *cluster.user_quotas.values()]
    for spec in blocks:
        yield spec
        yield from spec.client_ids.values()


@rule(
    "quota-rate",
    "quota values are rates Kafka accepts",
    severity=Severity.ERROR,
    message="a client quota value cannot be read or Kafka refuses it",
    hint="write bytes per second as a whole number or with a unit (102400, 100KiB/s, 10MiB/s, 1.5MB/s); "
    "request_percentage and controller_mutation_rate as numbers; every value above 0",
    doc="""
Kafka keeps every quota as a number above 0 (it refuses 0 and negative values), and the byte rates
(`producer_byte_rate`, `consumer_byte_rate`) as whole bytes per second: kgov reads a byte rate
written as an integer or with a unit (`100KiB/s`, `10MiB/s`, `1.5MB/s`; KiB/MiB/GiB are powers of
1024, KB/MB/GB of 1000). `request_percentage` is a percentage of one network or I/O thread (a
broker with n threads has n x 100 %, so values above 100 are legal) and
`controller_mutation_rate` partition mutations per second: both numbers. Checked in the acls
files' `quotas:` blocks and in the cluster files' `quotas:` (defaults and `users:`).
""",
    examples=(
        Example(
            False,
            {"acls/orders.yaml": _ORDERS + "  producer_byte_rate: fast\n"},
            line=4,
        ),
        Example(
            False,
            {"acls/orders.yaml": _ORDERS + "  request_percentage: 0\n"},
            line=4,
        ),
        Example(
            False,
            {"acls/orders.yaml": _ORDERS + "  client_ids:\n    api: {consumer_byte_rate: 1.1KiB/s}\n"},
            line=5,
            note="1.1 KiB/s is 1126.4 bytes/s: not whole (1.5KB/s, 1500, is)",
        ),
        Example(
            False,
            {
                "kgov.yaml": _ENV,
                "cluster/prod.yaml": "quotas:\n  user_default: {controller_mutation_rate: -1}\n",
            },
            line=2,
            file="cluster/prod.yaml",
        ),
        Example(
            True,
            {"acls/orders.yaml": _ORDERS + "  producer_byte_rate: 10MiB/s\n  request_percentage: 150\n"},
        ),
    ),
)
def check_rates(ctx: Context) -> Iterator[Finding]:
    for spec in _specs(ctx):
        for key, value in spec.rates.items():
            try:
                kafka_value(key, value)
            except QuotaValueError as exc:
                yield Finding(spec.loc(key), str(exc))


@rule(
    "quota-principal",
    "a cluster file's quotas name declared principals",
    severity=Severity.ERROR,
    message="a cluster file sets the quota of a principal that no acls file declares",
    hint="name the principal as its acls file does in this environment (`principals:`, else `principal`)",
    doc="""
`quotas.users` in `cluster/<environment>.yaml` overrides, for that environment, the quotas of a
principal an acls file declares: the principal must be one an acls file has in that environment
(its `principals:` entry for it, else its `principal`). A quota for a principal no service
declares would limit a client kgov does not manage: write that service's acls file first.
""",
    examples=(
        Example(
            False,
            {
                "kgov.yaml": _ENV,
                "cluster/prod.yaml": "quotas:\n  users:\n    User:billing: {producer_byte_rate: 1MiB/s}\n",
            },
            line=3,
            file="cluster/prod.yaml",
        ),
        Example(
            True,
            {
                "kgov.yaml": _ENV,
                "cluster/prod.yaml": "quotas:\n  users:\n    User:orders: {producer_byte_rate: 1MiB/s}\n",
            },
        ),
    ),
)
def check_principals(ctx: Context) -> Iterator[Finding]:
    names = {e.name for e in ctx.environments}
    for cluster in ctx.catalog.cluster_files.values():
        if cluster.environment not in names or not cluster.user_quotas:
            continue
        declared = {principal_for(af, cluster.environment) for af in ctx.catalog.access_files}
        for principal in cluster.user_quotas:
            if principal not in declared:
                yield Finding(
                    cluster.loc("quotas", "users", principal),
                    f"quotas.users names {principal}, which no acls file declares in environment "
                    f"'{cluster.environment}'",
                )
