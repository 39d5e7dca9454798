"""What a resource kind is: the one shape every kind (topics, ACL bindings, users, subjects) fills.

A kind brings one observer (batched reads through its backend's port), one pure diff, one applier
(batched writes) and its places in the apply order. The registry in kgov/kinds/__init__.py lists
the kinds; plan, apply, the fingerprint and the renderers iterate over it and know no kind by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Protocol

from kgov.bindings import Binding
from kgov.catalog.model import Catalog, Environment, Settings
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.cluster.kafka.quota_port import QuotaPort
from kgov.cluster.kafka.replica_port import ReplicaPort
from kgov.cluster.registry.port import SchemaRegistry
from kgov.diagnostics import Location
from kgov.kinds.access_matrix import Matrix
from kgov.kinds.audit_scope import WidensAuditRead
from kgov.kinds.by_file import NarrowsByFile
from kgov.kinds.evidence import ShowsEvidence
from kgov.kinds.tables import LendsAuditTables
from kgov.plan.model import JSON, Entry
from kgov.state import TopicSpec

# Apply phases: every entry runs in the phase its kind gives its action. Grants come before the
# revocations they replace, so a service never loses access in between; deletes come last.
PHASE_USERS = 10
PHASE_TOPICS = 20
PHASE_GRANTS = 30
PHASE_SUBJECTS = 40
PHASE_LEVELS = 50
PHASE_REVOCATIONS = 70
PHASE_DELETES = 90


@dataclass(frozen=True)
class DiffContext:
    environment: Environment
    settings: Settings
    allow_delete: bool  # --allow-delete; deletes also need settings.ownership.delete
    allow_delete_active: bool = False  # --allow-delete-active: also delete what is in use
    # the topics the catalog declares (a subject named after one is in use: kgov/kinds/subjects/evidence.py)
    catalog_topics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Backends:
    """The ports a plan may use; a kind whose backend is missing is not planned."""

    kafka: KafkaAdmin | None = None
    registry: SchemaRegistry | None = None
    reassign: ReplicaPort | None = None  # partition reassignment (replication-factor changes)
    quotas: QuotaPort | None = None  # client quotas (kafka-python, on the reassignment client)

    def get(self, name: str) -> Any:
        return getattr(self, name, None)


@dataclass(frozen=True)
class Unmanaged:
    """A resource on the cluster that the catalog does not declare (and kgov does not protect)."""

    kind: str
    name: str
    label: str
    detail: JSON = None  # plain JSON the kind's audit hooks read (never a secret)


# How urgent an audit finding is: a policy broken or data at risk, something to look at, a fact.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Violation:
    """A live policy violation or health finding the audit reports (kinds that declare
    `FindsViolations`); the rules are listed in docs/audit.md."""

    rule: str  # naming | replication-factor | min-insync-replicas | under-replicated | ...
    kind: str
    name: str
    message: str  # what is wrong and why it matters
    severity: str = "error"  # one of SEVERITIES
    hint: str | None = None  # the remedy, what to set or do (the governance findings give one)


@dataclass(frozen=True)
class AuditFacts:
    """What a kind lends the audit's cross-kind sections (the access matrix, the data-flow graph,
    usage): Kafka's resources as the access vocabulary speaks of them."""

    topics: Mapping[str, TopicSpec] = field(default_factory=dict)  # the live topics, by name
    bindings: tuple[Binding, ...] = ()  # the ACL bindings that grant access to them


@dataclass(frozen=True)
class AuditView:
    """What the audit saw across the kinds, for the kinds' `violations` hooks."""

    catalog: Catalog
    facts: AuditFacts  # every kind's facts, in the kinds' order
    matrix: Matrix  # from facts.bindings over facts.topics (kgov/kinds/access_matrix.py)


class Kind(Protocol):
    name: str  # also the address prefix: "<name>.<resource>"
    title: str  # plural, for people: "topics"
    backend: str  # the field of Backends it uses
    order: Mapping[str, int]  # action -> apply phase

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, Any]:
        """The resources of this kind the catalog declares for `env`, by name."""
        ...

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        """What the plan looks at (saved in the plan; apply re-derives and compares it)."""
        ...

    def observe(self, backend: Any, scope: JSON) -> Any:
        """The cluster's state within `scope`, in a fixed number of batched requests."""
        ...

    def state_json(self, observed: Any) -> JSON:
        """The observed state as plain JSON, for the fingerprint (never a secret)."""
        ...

    def diff(
        self, desired: Mapping[str, Any], observed: Any, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        """Pure: the entries that make the cluster match, and warnings for the reader."""
        ...

    def apply(self, backend: Any, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        """Batched writes; per address, None on success or the backend's error text."""
        ...

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        """The part of `scope` to re-read to see `entries` applied (apply waits for it)."""
        ...

    def visible(self, entry: Entry, observed: Any) -> bool:
        """Whether the observed state shows the entry applied."""
        ...


def _silent(_line: str) -> None:
    pass


@dataclass(frozen=True)
class ApplyOptions:
    """What `kgov apply` is told beyond the plan, for the kinds that declare `TakesApplyOptions`
    (changes that move data and take time: replication-factor changes)."""

    throttle: int | None = None  # bytes/s a data-moving change may use per broker; None: the kind's default
    wait: bool = True  # wait until a long-running change completes (--no-wait: start it and return)
    elect_leaders: bool = False  # a preferred leader election for what moved (--elect-leaders)
    report: Callable[[str], None] = _silent  # progress lines for people (a terminal's status, or CI lines)
    poll_s: float = 2.0  # between progress reads


# Optional hooks are capabilities a kind class declares by inheriting them
# (`class TopicKind(Narrows, ChecksRights, FindsUnmanaged, Snapshotting)`). They are ABCs: the core
# dispatches with `isinstance(kind, Capability)` and calls the method by its name, so mypy checks
# every hook name, and a kind that declares a capability without its method cannot be instantiated.


class Narrows(ABC):
    """A scoped plan (`kgov plan --base`) reads only the changed resources (kgov/engine/make.py)."""

    @abstractmethod
    def narrow(self, scope: JSON, names: Sequence[str]) -> JSON: ...

    def related(self, changed: Set[str], head: Mapping[str, Any], base: Mapping[str, Any]) -> Set[str]:
        """The names a scoped plan plans for the `changed` ones, given both sides' desired values: by
        default those; a kind whose entries depend on one another's (subjects) widens them."""
        return changed


class ChecksRights(ABC):
    """Stop a plan whose changes kgov's own principal may not make, naming the operation and the
    resource (a plan kgov could not apply is not a plan to review)."""

    @abstractmethod
    def check_rights(self, backend: Any, entries: Sequence[Entry]) -> None: ...


class FindsUnmanaged(ABC):
    """For `kgov audit`: what the cluster holds beyond the catalog.

    `backend` is the same port observe used; a kind re-reads nothing the observe already read
    (the audit caches the port's whole-cluster reads), so the audit stays one batched read."""

    @abstractmethod
    def unmanaged(
        self, backend: Any, desired: Mapping[str, Any], observed: Any, ctx: DiffContext
    ) -> list[Unmanaged]: ...


class LendsAuditFacts(ABC):
    """For `kgov audit`: the facts (live topics, ACL bindings) the access matrix, the data-flow graph
    and usage are built from, so the audit names no kind. With `audit --catalog-only` nothing is read:
    `observed` is None and `unmanaged` empty, and a kind lends what the catalog declares."""

    @abstractmethod
    def audit_facts(
        self, desired: Mapping[str, Any], observed: Any, unmanaged: Sequence[Unmanaged]
    ) -> AuditFacts: ...


class FindsViolations(ABC):
    """For `kgov audit`: live policy violations among what observe and the `unmanaged` hook found,
    and in `view`, what the audit saw across the kinds (no further reads). The audit lists them in
    the kinds' order. With `audit --catalog-only`, `observed` is None and `unmanaged` empty: only
    what the view holds (the access matrix of the catalog's bindings) can be checked."""

    @abstractmethod
    def violations(
        self, observed: Any, unmanaged: Sequence[Unmanaged], ctx: DiffContext, view: AuditView
    ) -> list[Violation]: ...


class BelongsToPrincipal(ABC):
    """kgov never changes its own login (kgov/engine/selfguard.py): a kind whose entries can change a
    principal's credential or rights says which of them touch kgov's own."""

    @abstractmethod
    def touches_principal(self, entry: Entry, user: str, principal: str) -> bool:
        """Whether `entry` changes the login `user` (principal `principal`) or its rights."""


class Snapshotting(ABC):
    """A kind that can be planned from a snapshot (`kgov snapshot`, `kgov plan --snapshot`); a kind
    without it is left out of snapshots (plan says so). The snapshot saves
    `state_json(observe(backend, scope))` unless the kind also declares `SavesSnapshotState`."""

    @abstractmethod
    def snapshot_scope(self, scope: JSON) -> JSON:
        """What a snapshot reads, from the plan scope of the catalog it is taken with: wider, so that
        plans of a changed catalog (a pull request) can be answered from it."""

    @abstractmethod
    def state_from_json(self, doc: JSON) -> Any:
        """The inverse of what the snapshot saves (`snapshot_state`, else `state_json`)."""

    @abstractmethod
    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> Any:
        """What `observe(backend, scope)` would have returned when the snapshot (read with scope
        `taken`, observed state `state`) was taken; a PlanError when the snapshot cannot say."""


class SavesSnapshotState(ABC):
    """A snapshotting kind that saves something other than `state_json(observe(...))`: a kind whose
    state_json is a digest's summary (ACL bindings) or needs a secret to read (SCRAM logins)."""

    @abstractmethod
    def snapshot_state(self, backend: Any, scope: JSON) -> JSON:
        """What the snapshot saves, read with the snapshot scope (never a secret)."""


class ComparesJson(ABC):
    """For `kgov diff --base` (kgov/review/compare.py): the JSON a reviewer compares for one desired
    value. Without it the desired values are compared as plain JSON (`as_json`)."""

    @abstractmethod
    def desired_json(self, value: Any) -> JSON: ...


class ClassifiesChanges(ABC):
    """For `kgov diff --base`: the kind's change classes. Without it a change is classed by the
    review's generic rule (added: safe, removed: attention, changed: safe). The classes and a
    `Reason` to say them with are in kgov/kinds/reasons.py."""

    @abstractmethod
    def classify(
        self, name: str, before: JSON, after: JSON, head: Catalog, base: Catalog
    ) -> Sequence[tuple[str, str, str]]:
        """(code, level, message) for each reason the change is safe, needs attention or breaks;
        `before`/`after` are the desired JSON values, None when absent."""


class Locates(ABC):
    """For `kgov diff --base`: where the catalog declares a resource. Without it (or when it
    answers None) the review points at the catalog's kgov.yaml."""

    @abstractmethod
    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        """Where `catalog` writes the resource `name`, whose desired JSON there is `value`."""


# -- `kgov import` -------------------------------------------------------------------------------

# The catalog folder that import copies kgov's JSON Schemas into, for editors (docs/catalog.md,
# "Editor support"): the imported files' first line points there, so it resolves wherever the
# catalog is cloned.
EDITOR_SCHEMAS = "editor-schemas"


def schema_line(schema: str) -> str:
    """The first line of an imported file (one folder deep in the catalog): editors (the YAML
    language server) check it against kgov's JSON Schema `schema` (kgov/catalog/schemas/)."""
    return f"# yaml-language-server: $schema=../{EDITOR_SCHEMAS}/{schema}.schema.json\n"


@dataclass(frozen=True)
class ImportedFile:
    path: str  # relative to the catalog, '/'-separated: "topics/billing.yaml"
    text: str
    note: str  # what import says of it after its path, may hold cluster names: "2 topics"


@dataclass(frozen=True)
class LeftOut:
    """What a kind does not import, and why (import lists the first ten)."""

    heading: str  # "the bindings of 2 principal(s) the catalog cannot declare"
    why: tuple[tuple[str, str], ...]  # (name from the cluster, reason), in order


@dataclass(frozen=True)
class Imported:
    """A kind's part of `kgov import`: the files it would write, and what import says of them."""

    files: tuple[ImportedFile, ...]
    summary: str  # its part of the summary, said also when it imports nothing: "2 topics of 1 services"
    everything: str  # said when no kind imports anything: "every unprotected topic" (is in the catalog)
    schemas: tuple[str, ...] = ()  # the JSON Schemas its files' first lines name (`schema_line`)
    left_out: LeftOut | None = None


class Imports(ABC):
    """For `kgov import`: catalog files for what the cluster holds beyond the catalog, written so
    that the next plan shows no change for it.

    `backend` is the kind's port with its whole-cluster reads made once (kgov/engine/reads.py), so
    a listing that two kinds need is read once; read in batches, never per resource. The hook
    writes nothing: the command checks every target of every kind before it writes the first."""

    @abstractmethod
    def import_files(self, backend: Any, catalog: Catalog, env: Environment) -> Imported: ...


class TakesApplyOptions(ABC):
    """Apply with `kgov apply`'s options (ApplyOptions): the core calls `apply_with` in place of
    `apply`. For changes that run long on the cluster (a throttled reassignment, its progress)."""

    @abstractmethod
    def apply_with(
        self, backend: Any, entries: Sequence[Entry], options: ApplyOptions
    ) -> Mapping[str, str | None]: ...


class ReviewedWithAnother(ABC):
    """For `kgov diff --base`: a kind whose desired state is a field of another kind's resources (the
    replica kind's factors are the topics' replication_factor): the other kind reviews the change,
    and the review does not list it twice."""

    @abstractmethod
    def reviewed_with(self) -> str:
        """The name of the kind whose review covers this kind's changes."""


CAPABILITIES: tuple[type[ABC], ...] = (
    Narrows,
    NarrowsByFile,
    ChecksRights,
    FindsUnmanaged,
    LendsAuditFacts,
    FindsViolations,
    LendsAuditTables,
    WidensAuditRead,
    BelongsToPrincipal,
    Snapshotting,
    SavesSnapshotState,
    ComparesJson,
    ClassifiesChanges,
    Locates,
    Imports,
    TakesApplyOptions,
    ReviewedWithAnother,
    ShowsEvidence,
)


def check_rights(kind: Kind, backend: Any, entries: Sequence[Entry]) -> None:
    if isinstance(kind, ChecksRights) and entries:
        kind.check_rights(backend, entries)


def apply_entries(
    kind: Kind, backend: Any, entries: Sequence[Entry], options: ApplyOptions
) -> Mapping[str, str | None]:
    if isinstance(kind, TakesApplyOptions):
        return kind.apply_with(backend, entries, options)
    return kind.apply(backend, entries)
