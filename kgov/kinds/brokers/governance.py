"""Governance bypasses in the live broker settings: what lets clients go around the catalog (`kgov audit`).

Pure: `findings` reads the effective value of each setting on every broker (any source: static,
dynamic or Kafka's default, as DescribeConfigs returns them) and gives one `Violation` per setting and
value, naming the brokers it holds on, with why it matters (`message`) and what to set (`hint`).
The rules are listed in docs/audit.md; kgov/policy/governance.py says the same of the cluster file.

Kafka hides the value of a broker setting it does not define itself (it answers them as sensitive):
`super.users` and `allow.everyone.if.no.acl.found` are the authorizer's, so on Apache Kafka they are
never readable. What can be said then is said: a hidden `allow.everyone.if.no.acl.found` is set
explicitly in the broker's server.properties, and as its default is false, most likely to true.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kgov.catalog.grants import principal_for
from kgov.catalog.model import Catalog, Environment
from kgov.cluster.kafka.broker_port import BrokerConfigs, BrokerConfigValue
from kgov.kinds.base import Violation

KIND = "broker"
AUTO_CREATE = "auto.create.topics.enable"
ALLOW_EVERYONE = "allow.everyone.if.no.acl.found"
SUPER_USERS = "super.users"
DELETE_TOPIC = "delete.topic.enable"
UNCLEAN = "unclean.leader.election.enable"
MIN_ISR = "min.insync.replicas"
DEFAULT_RF = "default.replication.factor"
LISTENERS = "listeners"
PROTOCOL_MAP = "listener.security.protocol.map"
CONTROLLER_LISTENERS = "controller.listener.names"
ANONYMOUS = "User:ANONYMOUS"
# What the environment's kafka block says about authentication (librdkafka's default is PLAINTEXT).
AUTHENTICATED = frozenset({"SASL_PLAINTEXT", "SASL_SSL", "SSL"})
_PROTOCOLS = frozenset({"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"})

Where = str | int  # a broker id, or "default" when only the cluster default could be read


@dataclass(frozen=True)
class _Seen:
    """The brokers on which a setting holds one value."""

    value: str
    where: tuple[Where, ...]

    @property
    def on(self) -> str:
        ids = [str(w) for w in self.where if w != "default"]
        if not ids:
            return "in the cluster default"
        return f"on broker {ids[0]}" if len(ids) == 1 else f"on brokers {', '.join(ids)}"


def _sources(configs: BrokerConfigs) -> dict[Where, Mapping[str, BrokerConfigValue]]:
    """Each broker's effective settings; the cluster default alone when no broker could be read."""
    if configs.brokers:
        return {b: configs.brokers[b] for b in sorted(configs.brokers)}
    return {"default": configs.default} if configs.default else {}


def _values(sources: Mapping[Where, Mapping[str, BrokerConfigValue]], key: str) -> list[_Seen]:
    """The readable values of `key`, each with the brokers it holds on (in broker order)."""
    by_value: dict[str, list[Where]] = {}
    for where, settings in sources.items():
        entry = settings.get(key)
        if entry is not None and entry.value is not None:
            by_value.setdefault(entry.value.strip(), []).append(where)
    return [_Seen(value, tuple(where)) for value, where in by_value.items()]


def _hidden(sources: Mapping[Where, Mapping[str, BrokerConfigValue]], key: str) -> _Seen | None:
    """The brokers that have `key` set but do not show its value (Kafka answers it as sensitive)."""
    where = [w for w, settings in sources.items() if (e := settings.get(key)) is not None and e.value is None]
    return _Seen("", tuple(where)) if where else None


def _true(value: str) -> bool:
    return value.lower() == "true"


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def findings(
    configs: BrokerConfigs, catalog: Catalog, env: Environment, admin_user: str | None
) -> list[Violation]:
    """Every broker setting that lets clients go around the catalog, errors first."""
    sources = _sources(configs)
    found = [
        *_unread(configs),
        *_auto_create(sources),
        *_allow_everyone(sources),
        *_super_users(sources, catalog, env, admin_user),
        *_unclean(sources),
        *_min_isr(sources),
        *_listeners(sources, env),
        *_delete_topic(sources, catalog),
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda v: order.get(v.severity, 3))  # stable: the order above within each


def _unread(configs: BrokerConfigs) -> Iterable[Violation]:
    """The brokers whose settings Kafka would not give: nothing was checked there."""
    for resource, error in sorted(configs.errors.items()):
        if resource == "default" and configs.brokers:
            continue  # the brokers' own answers hold the effective values: the checks ran
        what = "the cluster default" if resource == "default" else f"broker {resource}"
        yield Violation(
            "broker-settings-unread",
            KIND,
            resource,
            f"the settings of {what} could not be read ({error}): the governance checks did not run there",
            "warning",
            hint="give kgov's principal DESCRIBE_CONFIGS on the cluster resource (kafka-cluster)",
        )


def _auto_create(sources: Mapping[Where, Mapping[str, BrokerConfigValue]]) -> Iterable[Violation]:
    for seen in _values(sources, AUTO_CREATE):
        if _true(seen.value):
            yield Violation(
                "auto-create-topics",
                KIND,
                AUTO_CREATE,
                f"{AUTO_CREATE} is true {seen.on}: a client that produces to, consumes from or asks "
                "metadata for a topic that does not exist creates it, with the broker's defaults, "
                "outside the catalog and its review (a typo in a client becomes a topic)",
                "error",
                hint=f"set {AUTO_CREATE}=false in every broker's server.properties (static: a rolling "
                "restart) and create topics through the catalog",
            )


def _allow_everyone(sources: Mapping[Where, Mapping[str, BrokerConfigValue]]) -> Iterable[Violation]:
    first = "before that, give every client the ACLs it needs through the catalog (kgov plan shows them)"
    hint = (
        f"set {ALLOW_EVERYONE}=false (Kafka's default), or remove the line, in every broker's and "
        f"controller's server.properties (static: a rolling restart); {first}"
    )
    hidden_hint = (
        f"look at {ALLOW_EVERYONE} in the brokers' and controllers' server.properties: remove the line "
        f"(Kafka's default is false) or write {ALLOW_EVERYONE}=false (static: a rolling restart); {first}"
    )
    for seen in _values(sources, ALLOW_EVERYONE):
        if _true(seen.value):
            yield Violation(
                "allow-everyone-if-no-acl",
                KIND,
                ALLOW_EVERYONE,
                f"{ALLOW_EVERYONE} is true {seen.on}: every topic, group and other resource that has no "
                "ACL is open to every client, so a topic missing from the catalog's ACLs is not "
                "protected but public",
                "error",
                hint=hint,
            )
    hidden = _hidden(sources, ALLOW_EVERYONE)
    if hidden is not None:
        yield Violation(
            "allow-everyone-if-no-acl",
            KIND,
            ALLOW_EVERYONE,
            f"{ALLOW_EVERYONE} is set {hidden.on} and Kafka does not show its value (it hides the "
            "authorizer's settings): its default is false, so a broker that sets it most likely sets it "
            "to true, which opens every resource without ACLs to every client",
            "warning",
            hint=hidden_hint,
        )


def _super_users(
    sources: Mapping[Where, Mapping[str, BrokerConfigValue]],
    catalog: Catalog,
    env: Environment,
    admin_user: str | None,
) -> Iterable[Violation]:
    accepted = {f"User:{admin_user}"} if admin_user else set()
    cluster_file = catalog.cluster_files.get(env.name)
    if cluster_file is not None:  # a list the catalog itself writes has been reviewed
        accepted |= _principals(str(cluster_file.settings.get(SUPER_USERS) or ""))
    declared = {principal_for(af, env.name): af for af in catalog.access_files}
    by_principal: dict[str, list[Where]] = {}
    for seen in _values(sources, SUPER_USERS):
        for principal in sorted(_principals(seen.value) - accepted):
            by_principal.setdefault(principal, []).extend(seen.where)
    for principal, where in by_principal.items():
        on = _Seen("", tuple(dict.fromkeys(where))).on
        if principal == ANONYMOUS:
            why = (
                "every client of a listener without authentication (PLAINTEXT, or SSL without a "
                "client certificate) is User:ANONYMOUS, so each of them may do anything"
            )
            severity = "error"
        elif principal in declared:
            service = declared[principal].service
            why = f"the ACLs the catalog gives it (service '{service}') are not enforced: it may do anything"
            severity = "warning"
        else:
            why = "a principal the catalog does not declare may do anything, whatever the ACLs say"
            severity = "error"
        yield Violation(
            "super-users",
            KIND,
            principal,
            f"{principal} is a super user {on} ({SUPER_USERS}): {why}",
            severity,
            hint=f"remove {principal} from {SUPER_USERS} in the brokers' server.properties (static: a "
            "rolling restart) and grant what it needs through the catalog's acls files",
        )
    hidden = _hidden(sources, SUPER_USERS)
    if hidden is not None:
        yield Violation(
            "super-users",
            KIND,
            SUPER_USERS,
            f"{SUPER_USERS} is set {hidden.on} and Kafka does not show its value (it hides the "
            "authorizer's settings): kgov cannot check that it names only kgov's own login"
            + (f" (User:{admin_user})" if admin_user else ""),
            "info",
            hint=f"check {SUPER_USERS} in the brokers' server.properties: every principal it names "
            "bypasses every ACL",
        )


def _principals(value: str) -> set[str]:
    return {p.strip() for p in value.split(";") if p.strip()}


def _unclean(sources: Mapping[Where, Mapping[str, BrokerConfigValue]]) -> Iterable[Violation]:
    for seen in _values(sources, UNCLEAN):
        if _true(seen.value):
            yield Violation(
                "unclean-leader-election",
                KIND,
                UNCLEAN,
                f"{UNCLEAN} is true {seen.on}: a replica that is not in sync may become leader, and the "
                "records it lacks are lost for good, whatever a topic's min.insync.replicas promised",
                "error",
                hint=f"set {UNCLEAN}=false at cluster level (kgov: `settings:` of "
                "catalog/cluster/<env>.yaml, or kafka-configs --entity-default); a topic that accepts "
                "the loss sets it itself",
            )


def _min_isr(sources: Mapping[Where, Mapping[str, BrokerConfigValue]]) -> Iterable[Violation]:
    factors = {
        w: f for s in _values(sources, DEFAULT_RF) if (f := _int(s.value)) is not None for w in s.where
    }
    for seen in _values(sources, MIN_ISR):
        where = tuple(w for w in seen.where if factors.get(w, 0) > 1)
        if _int(seen.value) != 1 or not where:
            continue
        rf = sorted({factors[w] for w in where})
        yield Violation(
            "min-insync-default",
            KIND,
            MIN_ISR,
            f"{MIN_ISR} is 1 {_Seen(seen.value, where).on} while {DEFAULT_RF} is "
            f"{' or '.join(str(f) for f in rf)}: a topic created without its own {MIN_ISR} (by a "
            "client, or auto-created) acknowledges writes held by one replica, and loses them with it",
            "warning",
            hint=f"set {MIN_ISR}=2 at cluster level (kgov: `settings:` of catalog/cluster/<env>.yaml); "
            "the catalog's topics set their own",
        )


def _delete_topic(
    sources: Mapping[Where, Mapping[str, BrokerConfigValue]], catalog: Catalog
) -> Iterable[Violation]:
    deletes = catalog.settings.ownership.delete
    for seen in _values(sources, DELETE_TOPIC):
        if _true(seen.value):
            yield Violation(
                "delete-topic-enable",
                KIND,
                DELETE_TOPIC,
                f"{DELETE_TOPIC} is true {seen.on} (Kafka's default): any principal with DELETE on a topic, "
                "and every super user, can delete it and its data outside the catalog's review"
                + (
                    "; kgov deletes owned topics missing from the catalog (ownership.delete)"
                    if deletes
                    else "; the catalog deletes no topic (ownership.delete is false)"
                ),
                "info",
                hint="grant DELETE on topics to no client (the catalog's acls files: no `all` or "
                "`delete` on topics)"
                + ("" if deletes else f"; or set {DELETE_TOPIC}=false in the brokers' server.properties"),
            )


def _listeners(
    sources: Mapping[Where, Mapping[str, BrokerConfigValue]], env: Environment
) -> Iterable[Violation]:
    wanted = str(env.kafka.get("security_protocol") or "PLAINTEXT").upper()
    if wanted not in AUTHENTICATED:
        return
    open_on: dict[tuple[str, str], list[Where]] = {}
    for broker, settings in sources.items():
        for listener, how in _unauthenticated(settings):
            open_on.setdefault((listener, how), []).append(broker)
    for (listener, how), where in open_on.items():
        yield Violation(
            "unauthenticated-listener",
            KIND,
            listener,
            f"listener {listener} {_Seen('', tuple(where)).on} is {how}: a client that reaches it is "
            f"{ANONYMOUS}, with no login, while environment '{env.name}' connects with {wanted}",
            "error",
            hint=f"remove the listener from {LISTENERS}, or map it to SASL_SSL, SASL_PLAINTEXT or SSL "
            f"with ssl.client.auth=required in {PROTOCOL_MAP}; if the brokers need it, bind it to an "
            f"address clients cannot reach and make sure {ANONYMOUS} has no ACLs and is not a super user",
        )


def _setting(settings: Mapping[str, BrokerConfigValue], key: str) -> str | None:
    entry = settings.get(key)
    return None if entry is None else entry.value


def _unauthenticated(settings: Mapping[str, BrokerConfigValue]) -> list[tuple[str, str]]:
    """(listener as `NAME://host:port`, why it authenticates no one) of a broker's client listeners."""
    listeners = _setting(settings, LISTENERS)
    if not listeners:
        return []
    mapping = dict(
        (name.strip().upper(), proto.strip().upper())
        for name, _, proto in (p.partition(":") for p in (_setting(settings, PROTOCOL_MAP) or "").split(","))
        if name.strip()
    )
    controllers = {n.strip().upper() for n in (_setting(settings, CONTROLLER_LISTENERS) or "").split(",")}
    out = []
    for listener in (x.strip() for x in listeners.split(",")):
        name = listener.partition("://")[0].upper()
        if not name or name in controllers:  # the controller's listener serves the brokers, not clients
            continue
        proto = mapping.get(name, name if name in _PROTOCOLS else "")
        if proto == "PLAINTEXT":
            out.append((listener, "PLAINTEXT (no authentication)"))
        elif proto == "SSL":
            own = settings.get(f"listener.name.{name.lower()}.ssl.client.auth")  # wins over the global one
            auth = own.value if own is not None else _setting(settings, "ssl.client.auth")
            if auth is not None and auth.lower() != "required":  # None: hidden, nothing to say
                out.append((listener, f"SSL without a required client certificate (ssl.client.auth={auth})"))
    return out
