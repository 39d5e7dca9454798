"""Model objects from structurally valid documents (the loader leaves out the broken nodes first)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kgov.catalog.model import (
    QUOTA_KEYS,
    AccessFile,
    AclEntry,
    Authentication,
    Bounds,
    BrokerOverride,
    Capacity,
    ClusterFile,
    CustomRule,
    Environment,
    Overrides,
    Ownership,
    Policy,
    QuotaSpec,
    SchemaRef,
    Settings,
    Source,
    TopicsFile,
    topic,
)
from kgov.kafka_configs import duration_ms, normalize


@dataclass
class Skipped:
    """Names seen in topic entries left out for structural errors (see Catalog.skipped_topics)."""

    topics: set[str]
    subjects: set[str]

    def add(self, entries: Any) -> None:
        """Remember the names in topic entries left out (best effort), so that reference rules do
        not report them as missing on top of the error that left them out."""
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, dict):
                continue
            if isinstance(entry.get("name"), str):
                self.topics.add(entry["name"])
            for field in ("key_schema", "value_schema"):
                ref = entry.get(field)
                subject = ref.get("subject") if isinstance(ref, dict) else ref
                if isinstance(subject, str):
                    self.subjects.add(subject)


def _bounds(raw: Mapping[str, Any] | None, default: Bounds) -> Bounds:
    if raw is None:
        return default
    return Bounds(raw.get("min", default.min), raw.get("max", default.max))


def _custom_rule(src: Source, index: int, raw: Mapping[str, Any]) -> CustomRule:
    examples = raw.get("examples", {})
    return CustomRule(
        src,
        ("policy", "custom_rules", index),
        id=raw["id"],
        severity=raw["severity"],
        on=raw["on"],
        expr=raw["expr"],
        message=raw["message"],
        hint=raw.get("hint"),
        environments=tuple(raw.get("environments", ())),
        services=tuple(raw.get("services", ())),
        passes=tuple(examples.get("pass", ())),
        fails=tuple(examples.get("fail", ())),
    )


def _capacity(raw: Mapping[str, Any]) -> Capacity:
    limit = raw.get("max_bytes_at_retention")
    # the schema admits whole numbers and sizes up to 999999TiB, which retention.bytes' reading takes
    value = None if limit is None else int(normalize("retention.bytes", limit))
    per_broker = raw.get("max_partitions_per_broker", Capacity.max_partitions_per_broker)
    return Capacity(value, raw.get("on_exceed", "attention"), per_broker)


def settings(src: Source, data: Mapping[str, Any]) -> Settings:
    p = data.get("policy", {})
    base = Policy()
    policy = Policy(
        topic_name=p.get("topic_name", base.topic_name),
        service_owns_prefix=p.get("service_owns_prefix", base.service_owns_prefix),
        partitions=_bounds(p.get("partitions"), base.partitions),
        replication_factor=_bounds(p.get("replication_factor"), base.replication_factor),
        min_insync_replicas=_bounds(p.get("min_insync_replicas"), base.min_insync_replicas),
        required=tuple(p.get("required", base.required)),
        default_compatibility=p.get("default_compatibility", base.default_compatibility),
        catch_all_events=tuple(p.get("catch_all_events", base.catch_all_events)),
        rules={k: "off" if v is False else v for k, v in p.get("rules", {}).items()},
        custom_rules=tuple(_custom_rule(src, i, r) for i, r in enumerate(p.get("custom_rules", ()))),
        capacity=_capacity(p.get("capacity", {})),
    )
    o = data.get("ownership", {})
    default = Ownership()
    ownership = Ownership(
        tuple(o.get("protected", default.protected)),
        bool(o.get("delete", False)),
        tuple(o.get("ignore_configs", default.ignore_configs)),
        duration_ms(o["active_within"]) if "active_within" in o else default.active_within_ms,
        duration_ms(o["retire_after"]) if "retire_after" in o else None,
    )
    envs = {}
    for name, e in data.get("environments", {}).items():
        ov = e.get("overrides", {})
        envs[name] = Environment(
            src,
            ("environments", name),
            name=name,
            kafka=dict(e["kafka"]),
            platform=e.get("platform", "apache"),
            schema_registry=e.get("schema_registry"),
            overrides=Overrides(
                ov.get("replication_factor"), ov.get("partitions"), dict(ov.get("config", {}))
            ),
        )
    return Settings(src, (), version=data["version"], policy=policy, ownership=ownership, environments=envs)


def _ref(raw: Any) -> SchemaRef | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return SchemaRef(raw)
    return SchemaRef(raw["subject"], raw.get("compatibility"))


def topics_file(src: Source, data: Mapping[str, Any], keep: list[bool]) -> TopicsFile:
    """A topics file with the topic entries whose `keep` flag is set (the others are broken)."""
    service, owner = data["service"], data.get("owner")
    paths = _paths("topics", len(data["topics"]))
    topics = []
    # Topic's fields in their order, positionally (a test checks them by name): at 100,000 topics the
    # keyword call and two _ref calls a topic (most have no schema) were a fifth of building them.
    for i, t in enumerate(data["topics"]):
        if not keep[i]:
            continue
        get = t.get
        key, value = get("key_schema"), get("value_schema")
        topics.append(
            topic(  # Topic(...), faster (kgov/catalog/model.py)
                src,
                paths[i],
                str(t["name"]),
                service,
                get("owner", owner),
                get("description"),
                t["partitions"],
                t["replication_factor"],
                get("classification"),
                dict(get("config", _NO_CONFIG)),
                None if key is None else _ref(key),
                None if value is None else _ref(value),
            )
        )
    return TopicsFile(src, (), service=service, owner=owner, topics=tuple(topics))


_NO_CONFIG: Mapping[str, Any] = {}  # never handed out: each topic gets its own copy
_PATHS: dict[str, list[tuple[str, int]]] = {}


def _paths(field: str, count: int) -> list[tuple[str, int]]:
    """[(field, 0), (field, 1), …]: one tuple for every file's i-th entry (an equal value, shared).
    100,000 topics' and 100,000 bindings' own path tuples, each tracked by the garbage collector
    until its next pass, were one of lint's three young collections at 100,000 topics."""
    known = _PATHS.get(field, [])
    if len(known) < count:  # a new list, never one extended in place: safe for loads in threads
        known = _PATHS[field] = [(field, i) for i in range(max(count, 2 * len(known)))]
    return known


def access_file(src: Source, data: Mapping[str, Any]) -> AccessFile:
    auth = None
    # Read only the known kinds: an unknown key beside them is reported, never built from.
    methods = data.get("authentication", {})
    kind = next((k for k in ("scram", "tls") if k in methods), None)
    if kind is not None:
        body = methods[kind]
        auth = Authentication(
            kind, body.get("mechanism"), body.get("password"), body.get("iterations"), body.get("subject")
        )
    entries = data.get("acls", [])
    paths = _paths("acls", len(entries))
    acls = tuple(
        AclEntry(
            src,
            paths[i],
            resource=a["resource"],
            name=a["name"],
            pattern=a.get("pattern", "literal"),
            operations=tuple(a["operations"]),
            permission=a.get("permission", "allow"),
            host=a.get("host", "*"),
        )
        for i, a in enumerate(entries)
    )
    return AccessFile(
        src,
        (),
        service=data["service"],
        owner=data.get("owner"),
        principal=data["principal"],
        principals=dict(data.get("principals", {})),
        authentication=auth,
        produces=tuple(data.get("produces", [])),
        consumes=tuple(data.get("consumes", [])),
        consumer_groups=tuple(data.get("consumer_groups", [])),
        transactional_ids=tuple(data.get("transactional_ids", [])),
        idempotent=bool(data.get("idempotent", False)),
        acls=acls,
        quotas=quota(src, ("quotas",), data["quotas"]) if "quotas" in data else None,
    )


def quota(src: Source, path: tuple[str | int, ...], raw: Mapping[str, Any]) -> QuotaSpec:
    """Rates as written; `client_ids` (where the schema allows them) one level down."""
    clients = raw.get("client_ids", {})
    return QuotaSpec(
        src,
        path,
        rates={k: raw[k] for k in QUOTA_KEYS if k in raw},  # only known keys (an unknown one is reported)
        client_ids={str(c): quota(src, (*path, "client_ids", c), body) for c, body in clients.items()},
    )


def cluster_file(src: Source, environment: str, data: Mapping[str, Any]) -> ClusterFile:
    brokers = {
        int(bid): BrokerOverride(src, ("brokers", bid), broker_id=int(bid), settings=dict(body["settings"]))
        for bid, body in data.get("brokers", {}).items()
    }
    quotas = data.get("quotas", {})
    return ClusterFile(
        src,
        (),
        environment=environment,
        settings=dict(data.get("settings", {})),
        brokers=brokers,
        always_set=tuple(data.get("always_set", ())),
        quota_defaults={
            k: quota(src, ("quotas", k), quotas[k])
            for k in ("user_default", "client_id_default")
            if k in quotas
        },
        user_quotas={p: quota(src, ("quotas", "users", p), q) for p, q in quotas.get("users", {}).items()},
    )
