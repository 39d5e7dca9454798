"""Which quota entity applies to a client, by Kafka's precedence (pure).

Kafka (DefaultQuotaCallback) resolves each quota key on its own: for a connection of user U with
client id C it takes the first of these entities that sets the key:

  1. user=U, client-id=C           5. user=<default>, client-id=<default>
  2. user=U, client-id=<default>   6. user=<default>
  3. user=U                        7. client-id=C
  4. user=<default>, client-id=C   8. client-id=<default>

so a client may get its produce rate from one entity and its request percentage from another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kgov.cluster.kafka.quota_port import DEFAULT_PART, QuotaEntity, Quotas, named
from kgov.quota_values import QUOTA_KEYS


def precedence(user: str, client_id: str | None) -> tuple[QuotaEntity, ...]:
    """Kafka's order for user `user` and client id `client_id` (None: a client id with no entity of
    its own, so only the defaults can match it)."""
    u, c = named(user), (named(client_id) if client_id is not None else None)
    order = [
        QuotaEntity(u, c) if c else None,
        QuotaEntity(u, DEFAULT_PART),
        QuotaEntity(u),
        QuotaEntity(DEFAULT_PART, c) if c else None,
        QuotaEntity(DEFAULT_PART, DEFAULT_PART),
        QuotaEntity(DEFAULT_PART),
        QuotaEntity(None, c) if c else None,
        QuotaEntity(None, DEFAULT_PART),
    ]
    return tuple(e for e in order if e is not None)


@dataclass(frozen=True)
class Applied:
    key: str
    value: float | None  # None: no entity sets it (no quota: unlimited)
    entity: QuotaEntity | None


def effective(quotas: Quotas, user: str, client_id: str | None) -> Mapping[str, Applied]:
    """Per quota key, the value that applies and the entity it comes from."""
    order = precedence(user, client_id)
    out: dict[str, Applied] = {}
    for key in QUOTA_KEYS:
        found = next((e for e in order if key in quotas.get(e, {})), None)
        out[key] = Applied(key, quotas[found][key] if found else None, found)
    return out
