"""The catalog as frozen dataclasses. Values are as written (config values unnormalised, secrets as
references); every object keeps its file and YAML path so any rule can point at file:line:col."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kgov.catalog.yamlpos import Path_, YamlDoc
from kgov.diagnostics import Location

DEFAULT_TOPIC_NAME = r"^(?P<service>[a-z][a-z0-9-]*)\.(?P<event>[a-z][a-z0-9-]*)$"
DEFAULT_CATCH_ALL = ("events", "all", "messages", "data", "misc", "topic", "stream")
# Vendor keys kgov does not know and must not reset as drift (Confluent Cloud sets confluent.*).
# Keys other tools set on topics: Confluent Cloud's, and the throttles kafka-reassign-partitions
# sets for the length of a reassignment (resetting those as drift would break it).
DEFAULT_IGNORE_CONFIGS = ("confluent.*", "*.replication.throttled.replicas")


@dataclass(frozen=True)
class Source:
    """One catalog file and the positions of its YAML nodes."""

    file: str
    doc: YamlDoc = field(repr=False, compare=False)

    def loc(self, path: Path_ = ()) -> Location:
        line, col = self.doc.pos(path)
        return Location(self.file, line, col)


@dataclass(frozen=True)
class Node:
    """Base of catalog objects: where the object sits in which file."""

    src: Source = field(repr=False, compare=False)
    path: Path_ = field(repr=False, compare=False)

    def loc(self, *sub: str | int) -> Location:
        return self.src.loc((*self.path, *sub))


@dataclass(frozen=True)
class Bounds:
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class CustomRule(Node):
    """One of policy.custom_rules: a CEL expression that must hold for every topic, principal or
    subject in scope (kgov/policy/custom.py). Its Node path points at the rule in kgov.yaml."""

    id: str = ""
    severity: str = "error"
    on: str = "topic"
    expr: str = ""
    message: str = ""
    hint: str | None = None
    environments: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    passes: tuple[Mapping[str, object], ...] = ()  # examples.pass: objects the rule must accept
    fails: tuple[Mapping[str, object], ...] = ()  # examples.fail: objects it must report


@dataclass(frozen=True)
class Capacity:
    """policy.capacity: thresholds on one topic's storage at retention and on a broker's partition
    replicas (docs/capacity.md)."""

    max_bytes_at_retention: int | None = None  # None: no threshold
    on_exceed: str = "attention"  # or "block": the plan refuses the topic
    # partition replicas per broker after a plan: Confluent's long-standing guidance (docs/capacity.md)
    max_partitions_per_broker: int = 4000


@dataclass(frozen=True)
class Policy:
    topic_name: str = DEFAULT_TOPIC_NAME
    service_owns_prefix: bool = True
    partitions: Bounds = Bounds(1, 120)
    replication_factor: Bounds = Bounds(3, None)
    min_insync_replicas: Bounds = Bounds(2, None)
    required: tuple[str, ...] = ("owner", "description")
    default_compatibility: str = "BACKWARD"
    catch_all_events: tuple[str, ...] = DEFAULT_CATCH_ALL
    rules: Mapping[str, str] = field(default_factory=dict)
    custom_rules: tuple[CustomRule, ...] = ()
    capacity: Capacity = Capacity()


@dataclass(frozen=True)
class Ownership:
    protected: tuple[str, ...] = ("__*", "_*")
    delete: bool = False
    ignore_configs: tuple[str, ...] = DEFAULT_IGNORE_CONFIGS  # globs of config keys never reset as drift
    # in use within this long (a group's commit, a write): a delete is blocked without --allow-delete-active
    active_within_ms: int = 7 * 86_400_000
    # idle this long (no group, no write): a candidate to retire in the audit; None: active_within
    retire_after_ms: int | None = None

    @property
    def retire_window_ms(self) -> int:
        return self.retire_after_ms if self.retire_after_ms is not None else self.active_within_ms


@dataclass(frozen=True)
class Overrides:
    replication_factor: int | None = None
    partitions: int | None = None
    config: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Environment(Node):
    name: str = ""
    kafka: Mapping[str, object] = field(default_factory=dict)
    schema_registry: Mapping[str, object] | None = None
    overrides: Overrides = Overrides()
    platform: str = "apache"  # a profile of kgov/platforms.py: keys it manages, its defaults, its limits


@dataclass(frozen=True)
class Settings(Node):
    version: int = 1
    policy: Policy = Policy()
    ownership: Ownership = Ownership()
    environments: Mapping[str, Environment] = field(default_factory=dict)


@dataclass(frozen=True)
class SchemaRef:
    subject: str
    compatibility: str | None = None


@dataclass(frozen=True)
class Topic(Node):
    name: str = ""
    service: str = ""
    owner: str | None = None
    description: str | None = None
    partitions: int = 1
    replication_factor: int = 1
    classification: str | None = None
    config: Mapping[str, object] = field(default_factory=dict)
    key_schema: SchemaRef | None = None
    value_schema: SchemaRef | None = None


_new, _set = object.__new__, object.__setattr__


def topic(
    src: Source,
    path: Path_,
    name: str,
    service: str,
    owner: str | None,
    description: str | None,
    partitions: int,
    replication_factor: int,
    classification: str | None,
    config: Mapping[str, object],
    key_schema: SchemaRef | None,
    value_schema: SchemaRef | None,
) -> Topic:
    """`Topic(...)` with every field given, the same object at 0.4x its cost: the frozen dataclass's
    __init__ sets each field through object.__setattr__ (100,000 topics: 0.14 s of a 0.5 s load).
    tests/unit/catalog/test_i23_warm_topic.py checks the fields against the dataclass's."""
    made = _new(Topic)
    _set(
        made,
        "__dict__",
        {
            "src": src,
            "path": path,
            "name": name,
            "service": service,
            "owner": owner,
            "description": description,
            "partitions": partitions,
            "replication_factor": replication_factor,
            "classification": classification,
            "config": config,
            "key_schema": key_schema,
            "value_schema": value_schema,
        },
    )
    return made


@dataclass(frozen=True)
class TopicsFile(Node):
    service: str = ""
    owner: str | None = None
    topics: tuple[Topic, ...] = ()


@dataclass(frozen=True)
class Authentication:
    kind: str  # "scram" | "tls"
    mechanism: str | None = None
    password: str | None = None  # a ${env:...}/${file:...} reference, resolved only when applied
    iterations: int | None = None
    subject: str | None = None


@dataclass(frozen=True)
class AclEntry(Node):
    resource: str = "topic"
    name: str = ""
    pattern: str = "literal"
    operations: tuple[str, ...] = ()
    permission: str = "allow"
    host: str = "*"


# Kafka's client quota keys, as the catalog and Kafka spell them.
QUOTA_KEYS = ("producer_byte_rate", "consumer_byte_rate", "request_percentage", "controller_mutation_rate")


@dataclass(frozen=True)
class QuotaSpec(Node):
    """Quota rates as written (not normalised), and per client id the same (no deeper nesting)."""

    rates: Mapping[str, object] = field(default_factory=dict)  # keys of QUOTA_KEYS
    client_ids: Mapping[str, QuotaSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class AccessFile(Node):
    service: str = ""
    owner: str | None = None
    principal: str = ""
    principals: Mapping[str, str] = field(default_factory=dict)  # environment -> its principal
    authentication: Authentication | None = None
    produces: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    consumer_groups: tuple[str, ...] = ()
    transactional_ids: tuple[str, ...] = ()
    idempotent: bool = False
    acls: tuple[AclEntry, ...] = ()
    quotas: QuotaSpec | None = None  # the principal's client quotas, every environment


@dataclass(frozen=True)
class BrokerOverride(Node):
    broker_id: int = 0
    settings: Mapping[str, object] = field(default_factory=dict)  # as written


@dataclass(frozen=True)
class ClusterFile(Node):
    """catalog/cluster/<environment>.yaml: the environment's broker settings and quota defaults."""

    environment: str = ""  # the file's stem
    settings: Mapping[str, object] = field(default_factory=dict)  # cluster-wide dynamic defaults
    brokers: Mapping[int, BrokerOverride] = field(default_factory=dict)
    always_set: tuple[str, ...] = ()  # sensitive keys set on every apply (their drift cannot be read)
    quota_defaults: Mapping[str, QuotaSpec] = field(default_factory=dict)  # user_default, client_id_default
    user_quotas: Mapping[str, QuotaSpec] = field(default_factory=dict)  # principal as written -> quota


@dataclass(frozen=True)
class SchemaFile:
    subject: str
    format: str  # "avro" | "json"
    file: str
    text: str


@dataclass(frozen=True)
class Catalog:
    root: Path
    settings: Settings
    topic_files: tuple[TopicsFile, ...] = ()
    access_files: tuple[AccessFile, ...] = ()
    schemas: Mapping[str, SchemaFile] = field(default_factory=dict)
    # Names seen in topic entries left out for structural errors: reported there, so reference
    # rules treat them as known instead of adding a second error for the same typo.
    skipped_topics: frozenset[str] = frozenset()
    skipped_subjects: frozenset[str] = frozenset()
    cluster_files: Mapping[str, ClusterFile] = field(default_factory=dict)  # environment -> its file

    def topics(self) -> Iterator[Topic]:
        for topics_file in self.topic_files:
            yield from topics_file.topics

    def services(self) -> tuple[str, ...]:
        """Every service with a topics or an ACL file: each owns its `<service>.` prefix."""
        return tuple(sorted({f.service for f in self.topic_files} | {f.service for f in self.access_files}))
