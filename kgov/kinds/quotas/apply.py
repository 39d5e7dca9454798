"""Apply quota entries in one AlterClientQuotas batch; see them applied in a fresh listing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov.cluster.kafka.quota_port import QuotaAlteration, QuotaPort
from kgov.kinds.quotas.observe import ObservedQuotas, entity_from_json
from kgov.plan.model import Entry


def _values(state: object) -> dict[str, float]:
    quotas = state.get("quotas", {}) if isinstance(state, dict) else {}
    return {str(k): float(v) for k, v in quotas.items()}


def apply_quotas(backend: QuotaPort, entries: Sequence[Entry]) -> Mapping[str, str | None]:
    changes = []
    address = {}
    for e in entries:
        entity = entity_from_json((e.after or e.before or {})["entity"])
        new, old = _values(e.after), _values(e.before)
        changes.append(QuotaAlteration(entity, new, tuple(sorted(set(old) - set(new)))))
        address[entity] = e.address
    outcome = backend.alter_quotas(changes)
    return {address[entity]: error for entity, error in outcome.items() if entity in address}


def visible(entry: Entry, observed: ObservedQuotas) -> bool:
    entity = entity_from_json((entry.after or entry.before or {})["entity"])
    now = observed.quotas.get(entity)
    if entry.action == "delete":
        return not now
    return dict(now or {}) == _values(entry.after)
