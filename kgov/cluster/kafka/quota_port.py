"""The port of client quotas (Kafka's DescribeClientQuotas and AlterClientQuotas).

confluent-kafka has no quota API; kgov/cluster/kafka/adapter/quotas.py implements this port with
kafka-python's protocol messages over the reassignment adapter's connection, and
kgov/cluster/memory/quotas.py in memory, with Kafka's rules.

An entity is Kafka's: a user, a client id, or both, each part a name or the default (Kafka's
`<default>`); the keys are Kafka's (`producer_byte_rate`, ...), the values doubles as Kafka keeps
them. Every method is one request, whatever the number of entities (group_client_ids: one per
group coordinator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from kgov.cluster.kafka.access_port import ClusterRights

DEFAULT: Final = "<default>"  # how Kafka's tools print a default entity name


@dataclass(frozen=True)
class Part:
    """One part of an entity: a name, or the default (`default=True`, `name` None)."""

    name: str | None = None
    default: bool = False

    def __post_init__(self) -> None:
        if (self.name is None) != self.default:
            raise ValueError("a quota entity part is a name or the default, not both")

    def shown(self) -> str:
        return DEFAULT if self.default else str(self.name)


DEFAULT_PART: Final = Part(None, True)


def named(name: str) -> Part:
    return Part(name, False)


@dataclass(frozen=True)
class QuotaEntity:
    """Kafka's quota entity: `user`, `client_id`, or both; a part left None is not in the entity."""

    user: Part | None = None
    client_id: Part | None = None

    def __post_init__(self) -> None:
        if self.user is None and self.client_id is None:
            raise ValueError("a quota entity has a user, a client id or both")

    @property
    def name(self) -> str:
        """Kafka's way of writing it: 'user=orders', 'user=orders,client-id=<default>'."""
        parts = [("user", self.user), ("client-id", self.client_id)]
        return ",".join(f"{kind}={part.shown()}" for kind, part in parts if part is not None)

    def sort_key(self) -> tuple[str, ...]:
        return tuple(
            "" if p is None else ("0" if p.default else "1" + str(p.name))
            for p in (self.user, self.client_id)
        )


@dataclass(frozen=True)
class QuotaAlteration:
    """One entity's change: keys to set (Kafka's names, doubles) and keys to remove."""

    entity: QuotaEntity
    set: Mapping[str, float] = field(default_factory=dict)
    remove: tuple[str, ...] = ()


# The whole cluster's quotas: entity -> key -> value. Entities of other types (ip) are left out.
Quotas = Mapping[QuotaEntity, Mapping[str, float]]


class QuotaPort(ClusterRights, Protocol):
    # + principal and cluster_operations (ALTER_CONFIGS changes quotas): the Kafka port's one
    # DescribeCluster, made once per command and shared with the other kinds' rights checks.
    def describe_quotas(self) -> Quotas:
        """Every user and client-id quota on the cluster (one DescribeClientQuotas)."""
        ...

    def alter_quotas(self, changes: Sequence[QuotaAlteration]) -> Mapping[QuotaEntity, str | None]:
        """The changes in one AlterClientQuotas; per entity None on success or Kafka's error text."""
        ...

    def group_client_ids(self, groups: Sequence[str]) -> Mapping[str, frozenset[str]]:
        """The client ids of the members of the named consumer groups (for the audit's effective
        quota): DescribeGroups, one request per group coordinator whatever the number of groups; a
        group that is empty, unknown or not describable is left out."""
        ...
