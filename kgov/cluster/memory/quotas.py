"""An in-memory twin of the quota port (kgov/cluster/kafka/quota_port.py), with Kafka's rules.

Kafka 4's (ClientQuotaControlManager): an unknown key, a value not above 0, or a byte rate that is
not a whole number is INVALID_REQUEST for that entity, and none of its ops is applied; removing a
key that is not set is no error; an entity whose last key is removed is gone from the listing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.cluster.kafka.quota_port import QuotaAlteration, QuotaEntity, Quotas
from kgov.quota_values import BYTE_RATES, QUOTA_KEYS

INVALID = "INVALID_REQUEST: "


class MemoryQuotas:
    def __init__(self, quotas: Mapping[QuotaEntity, Mapping[str, float]] | None = None) -> None:
        self.quotas: dict[QuotaEntity, dict[str, float]] = {e: dict(v) for e, v in (quotas or {}).items()}
        self.requests: list[str] = []  # one entry per request, to check batching
        self.fail: dict[QuotaEntity, str] = {}  # entity -> error its next alteration gets
        self.groups: dict[str, set[str]] = {}  # consumer group -> its members' client ids
        self.principal = "User:kgov"
        self.rights: set[str] = {"DESCRIBE", "DESCRIBE_CONFIGS", "ALTER", "ALTER_CONFIGS"}  # on the cluster

    def cluster_operations(self) -> frozenset[str]:
        self.requests.append("describe_cluster")
        return frozenset(self.rights)

    def describe_quotas(self) -> Quotas:
        self.requests.append("describe_client_quotas")
        return {e: dict(v) for e, v in self.quotas.items() if v}

    def alter_quotas(self, changes: Sequence[QuotaAlteration]) -> Mapping[QuotaEntity, str | None]:
        if not changes:
            return {}
        self.requests.append("alter_client_quotas")
        out: dict[QuotaEntity, str | None] = {}
        for change in changes:
            error = self.fail.pop(change.entity, None) or _invalid(change)
            out[change.entity] = error
            if error is not None:
                continue
            now = self.quotas.setdefault(change.entity, {})
            now.update({k: float(v) for k, v in change.set.items()})
            for key in change.remove:
                now.pop(key, None)
            if not now:
                del self.quotas[change.entity]
        return out

    def group_client_ids(self, groups: Sequence[str]) -> Mapping[str, frozenset[str]]:
        if not groups:
            return {}
        self.requests.append("describe_groups")
        return {g: frozenset(self.groups[g]) for g in groups if self.groups.get(g)}

    def close(self) -> None:
        pass


def _invalid(change: QuotaAlteration) -> str | None:
    for key in (*change.set, *change.remove):
        if key not in QUOTA_KEYS:
            return f"{INVALID}Invalid configuration key {key}"
    for key, value in change.set.items():
        if not value > 0:
            return f"{INVALID}Quota {key} must be greater than 0"
        if key in BYTE_RATES and not float(value).is_integer():
            return f"{INVALID}{key} cannot be a fractional value."
    return None
