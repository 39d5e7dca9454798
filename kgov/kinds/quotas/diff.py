"""The quota diff (pure): per entity, the keys to set, change and remove.

An entity the catalog declares is created or updated to exactly its keys (a key the catalog does
not write is removed, as a topic config is reset). An entity it does not declare is compared only
when it belongs to an owned user (a principal the environment declares, or a user named after a
service) or is a default the cluster file manages; it is deleted only with `ownership.delete` and
`--allow-delete`, as other kinds delete. A change of a default names the managed principals it
reaches (those without a quota of their own for that key, by Kafka's precedence).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from kgov.cluster.kafka.quota_port import QuotaEntity
from kgov.kinds.base import DiffContext
from kgov.kinds.quotas.desired import DesiredQuota
from kgov.kinds.quotas.effective import Applied, effective
from kgov.kinds.quotas.observe import ObservedQuotas, entity_json, values_json
from kgov.plan.model import JSON, Change, Entry
from kgov.quota_values import kafka_form, readable

KIND = "quota"
DEFAULTS_GROUP = "defaults"


def _entry(
    entity: QuotaEntity,
    action: str,
    before: Mapping[str, float] | None,
    after: Mapping[str, float] | None,
    principal: str | None,
    notes: tuple[str, ...] = (),
) -> Entry:
    old, new = before or {}, after or {}
    rows = tuple(
        Change(
            key,
            kafka_form(old[key]) if key in old else None,
            kafka_form(new[key]) if key in new else None,
            ("set" if key in new else "remove") + (f" {readable(key, new[key])}" if key in new else ""),
        )
        for key in sorted({*old, *new})
        if old.get(key) != new.get(key)
    )
    return Entry(
        address=f"{KIND}.{entity.name}",
        kind=KIND,
        name=entity.name,
        action=action,
        before=_state(entity, before),
        after=_state(entity, after),
        changes=rows,
        group=principal or DEFAULTS_GROUP,
        label=f"{entity.name}: "
        + (", ".join(f"{k} {readable(k, v)}" for k, v in sorted(new.items())) or "no quota"),
        notes=notes,
    )


def _state(entity: QuotaEntity, values: Mapping[str, float] | None) -> JSON:
    return None if values is None else {"entity": entity_json(entity), "quotas": values_json(values)}


def diff_quotas(
    desired: Mapping[str, DesiredQuota], observed: ObservedQuotas, ctx: DiffContext
) -> tuple[list[Entry], list[str]]:
    entries: list[Entry] = []
    warnings: list[str] = []
    if observed.unread is not None:
        warnings.append(f"client quotas not read ({observed.unread}); the catalog declares none")
    have = observed.quotas
    after = dict(have)
    for _name, want in sorted(desired.items()):
        now = have.get(want.entity)
        if now is None:
            entries.append(_entry(want.entity, "create", None, want.values, want.principal))
        elif dict(now) != dict(want.values):
            entries.append(_entry(want.entity, "update", now, want.values, want.principal))
        after[want.entity] = want.values
    deletes = ctx.settings.ownership.delete and ctx.allow_delete
    wanted = {q.entity for q in desired.values()}
    for name, entity in sorted(observed.in_scope().items()):
        if entity in wanted:
            continue
        if deletes:
            entries.append(_entry(entity, "delete", have[entity], None, _owner(entity)))
            after.pop(entity, None)
        else:
            why = "plan with --allow-delete" if ctx.settings.ownership.delete else "ownership.delete is false"
            warnings.append(f"quota {name} is on the cluster but not in the catalog (not removed: {why})")
    return _with_reach(entries, observed, after, warnings)


def _owner(entity: QuotaEntity) -> str | None:
    user = entity.user
    return f"User:{user.name}" if user is not None and not user.default else None


def _with_reach(
    entries: list[Entry],
    observed: ObservedQuotas,
    after: Mapping[QuotaEntity, Mapping[str, float]],
    warnings: list[str],
) -> tuple[list[Entry], list[str]]:
    out: list[Entry] = []
    for e in entries:
        reached = _reached(e, observed, after) if e.group == DEFAULTS_GROUP else []
        if reached:
            keys = ", ".join(c.field for c in e.changes)
            note = f"applies ({keys}) to managed principal(s) without a quota of their own: "
            note += ", ".join(reached)
            warnings.append(f"quota {e.name}: {note}")
            e = replace(e, notes=(*e.notes, note))
        out.append(e)
    return out, warnings


def _reached(
    entry: Entry, observed: ObservedQuotas, after: Mapping[QuotaEntity, Mapping[str, float]]
) -> list[str]:
    """The managed principals whose effective quota for a changed key comes from this default,
    before or after the plan (for each of their client ids with an entity, and any other)."""
    keys = {c.field for c in entry.changes}
    out = []
    for user in observed.scope.managed:
        ids: list[str | None] = [None, *sorted(_client_ids(user, (*observed.quotas, *after)))]
        if any(
            _from(effective(state, user, c).get(k), entry.name)
            for state in (observed.quotas, after)
            for c in ids
            for k in keys
        ):
            out.append(f"User:{user}")
    return out


def _from(applied: Applied | None, name: str) -> bool:
    return applied is not None and applied.entity is not None and applied.entity.name == name


def _client_ids(user: str, entities: Iterable[QuotaEntity]) -> set[str]:
    """The client ids with an entity of `user`'s own."""
    return {
        e.client_id.name
        for e in entities
        if e.user is not None
        and e.user.name == user
        and e.client_id is not None
        and e.client_id.name is not None
    }
