"""The client quotas the catalog wants in one environment: Kafka's entities with their values.

A service's acls file writes `quotas:` for its principal (every environment); the environment's
cluster file (catalog/cluster/<environment>.yaml) writes the defaults (`user_default`,
`client_id_default`) and, under `users:`, a principal's quotas for that environment only, which
win key by key over the acls file's (a client id's keys likewise). The principal is the acls
file's `principals:` entry for the environment, else its `principal`; a quota entity's user is the
principal's name (`User:orders` -> `orders`), as Kafka names it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kgov.catalog.grants import principal_for
from kgov.catalog.model import AccessFile, Catalog, Environment, QuotaSpec
from kgov.catalog.patterns import protected_matcher
from kgov.catalog.resolve import own_user
from kgov.cluster.kafka.quota_port import DEFAULT_PART, Part, QuotaEntity, named
from kgov.diagnostics import Location
from kgov.errors import CatalogError
from kgov.quota_values import QuotaValueError, kafka_value

USER = "User:"
DEFAULTS = {"user_default": QuotaEntity(DEFAULT_PART), "client_id_default": QuotaEntity(None, DEFAULT_PART)}


@dataclass(frozen=True)
class DesiredQuota:
    entity: QuotaEntity
    values: Mapping[str, float]  # Kafka's keys and form
    principal: str | None = None  # the managed principal it belongs to (None: a default)


@dataclass(frozen=True)
class Principal:
    """A principal an acls file declares in the environment, with the client ids it names."""

    principal: str
    user: str
    service: str
    client_ids: tuple[str, ...] = ()
    consumer_groups: tuple[str, ...] = ()


def principals(catalog: Catalog, env: str) -> dict[str, Principal]:
    """The environment's managed `User:` principals, by quota user name."""
    out: dict[str, Principal] = {}
    cluster = catalog.cluster_files.get(env)
    for af in catalog.access_files:
        who = principal_for(af, env)
        if not who.startswith(USER):
            continue
        spec = _merged(af.quotas, cluster.user_quotas.get(who) if cluster else None)
        ids = tuple(sorted(spec.client_ids)) if spec else ()
        user = who[len(USER) :]
        known = out.get(user)
        out[user] = Principal(
            who,
            user,
            known.service if known else af.service,
            tuple(sorted({*ids, *(known.client_ids if known else ())})),
            tuple(sorted({*af.consumer_groups, *(known.consumer_groups if known else ())})),
        )
    return out


class DesiredQuotas(dict[str, DesiredQuota]):
    """Entity name ('user=orders', 'user=<default>', ...) -> what the catalog wants it to hold; and
    what the plan's scope needs of the environment: its managed principals (by quota user), the
    users whose undeclared quotas it may remove (managed; never kgov's own, never protected), and
    whether the cluster file manages the defaults (it has `user_default` or `client_id_default`)."""

    def __init__(
        self,
        quotas: Mapping[str, DesiredQuota] | None = None,
        principals: Mapping[str, Principal] | None = None,
        owned: tuple[str, ...] = (),
        defaults: bool = False,
    ) -> None:
        super().__init__(quotas or {})
        self.principals = dict(principals or {})
        self.owned = owned
        self.defaults = defaults


def desired_quotas(catalog: Catalog, env: Environment) -> DesiredQuotas:
    found = _declared(catalog, env.name)
    managed = principals(catalog, env.name)
    me = own_user(env)
    matcher = protected_matcher(tuple(catalog.settings.ownership.protected))
    owned = tuple(sorted(u for u in managed if u != me and not (matcher is not None and matcher.match(u))))
    cluster = catalog.cluster_files.get(env.name)
    return DesiredQuotas(found, managed, owned, cluster is not None and bool(cluster.quota_defaults))


def _declared(catalog: Catalog, env: str) -> dict[str, DesiredQuota]:
    out: dict[str, DesiredQuota] = {}
    by: dict[str, str] = {}  # entity name -> the service whose acls file declares it
    cluster = catalog.cluster_files.get(env)
    for af in catalog.access_files:
        who = principal_for(af, env)
        own = cluster.user_quotas.get(who) if cluster else None
        if not who.startswith(USER) or (af.quotas is None and own is None):
            continue
        user = named(who[len(USER) :])
        for entity, rates in _entities(user, af, own):
            if entity.name in by:  # two services of one principal: which quota would be meant?
                raise CatalogError(
                    f"the quota {entity.name} is declared by the acls files of both '{by[entity.name]}' "
                    f"and '{af.service}' (principal {who}) in environment '{env}'",
                    hint="write a principal's quotas in one acls file",
                )
            by[entity.name] = af.service
            out[entity.name] = DesiredQuota(entity, rates, who)
    if cluster is not None:
        for key, entity in DEFAULTS.items():
            spec = cluster.quota_defaults.get(key)
            if spec is not None:
                out[entity.name] = DesiredQuota(entity, _values(spec, spec.rates))
    return {name: q for name, q in out.items() if q.values}


def _entities(
    user: Part, af: AccessFile, own: QuotaSpec | None
) -> Iterator[tuple[QuotaEntity, dict[str, float]]]:
    """The principal's entities: its own rates, then each client id's, the cluster file's keys winning."""
    base = af.quotas
    top = own if own is not None else base
    if top is None:
        return
    rates = {**(base.rates if base else {}), **(own.rates if own else {})}
    yield QuotaEntity(user), _values(top, rates)
    for client_id in sorted({*(base.client_ids if base else {}), *(own.client_ids if own else {})}):
        a = base.client_ids.get(client_id) if base else None
        b = own.client_ids.get(client_id) if own else None
        spec = b if b is not None else a
        if spec is not None:
            both = {**(a.rates if a else {}), **(b.rates if b else {})}
            yield QuotaEntity(user, named(client_id)), _values(spec, both)


def _merged(base: QuotaSpec | None, own: QuotaSpec | None) -> QuotaSpec | None:
    """Only the client ids matter here (principals): the union of both."""
    if own is None:
        return base
    if base is None:
        return own
    return QuotaSpec(own.src, own.path, {}, {**base.client_ids, **own.client_ids})


def _values(spec: QuotaSpec, rates: Mapping[str, object]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in rates.items():
        try:
            out[key] = kafka_value(key, value)
        except QuotaValueError as exc:  # lint refuses it first; never plan what Kafka refuses
            raise CatalogError(f"{spec.loc(key)}: {exc}", hint="fix the quota value") from None
    return out


def locate(catalog: Catalog, name: str, value: object) -> Location | None:
    """Where the catalog writes a quota (`kgov diff --base`): the principal's acls file `quotas:`
    block, or the default's entry in a cluster file."""
    who = value.get("principal") if isinstance(value, Mapping) else None
    if isinstance(who, str):
        for af in catalog.access_files:
            if who == af.principal or who in af.principals.values():
                return af.quotas.loc() if af.quotas is not None else af.loc("principal")
        return None
    for key, entity in DEFAULTS.items():
        if entity.name == name:
            for cluster in catalog.cluster_files.values():
                if key in cluster.quota_defaults:
                    return cluster.quota_defaults[key].loc()
    return None
