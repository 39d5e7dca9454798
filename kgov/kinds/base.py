"""What a resource kind is: the one shape every kind (topics, ACL bindings, users, subjects) fills.

A kind brings one observer (batched reads through its backend's port), one pure diff, one applier
(batched writes) and its places in the apply order. The registry in kgov/kinds/__init__.py lists
the kinds; plan, apply, the fingerprint and the renderers iterate over it and know no kind by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kgov.catalog.model import Catalog, Environment, Settings
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.cluster.registry.port import SchemaRegistry
from kgov.diagnostics import Location
from kgov.plan.model import JSON, Entry

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


@dataclass(frozen=True)
class Backends:
    """The ports a plan may use; a kind whose backend is missing is not planned."""

    kafka: KafkaAdmin | None = None
    registry: SchemaRegistry | None = None

    def get(self, name: str) -> Any:
        return getattr(self, name, None)


@dataclass(frozen=True)
class Unmanaged:
    """A resource on the cluster that the catalog does not declare (and kgov does not protect)."""

    kind: str
    name: str
    label: str
    detail: JSON = None  # plain JSON the audit's policy checks read (never a secret)


@dataclass(frozen=True)
class Violation:
    """A live policy violation the audit reports (kinds name theirs through `FindsViolations`)."""

    rule: str  # naming | replication-factor | min-insync-replicas | pii-broad-access | compatibility-none
    kind: str
    name: str
    message: str


class FindsUnmanaged(Protocol):
    """Optional kind member for `kgov audit`: what the cluster holds beyond the catalog.

    `backend` is the same port observe used; a kind re-reads nothing the observe already read
    (the audit caches the port's whole-cluster reads), so the audit stays one batched read."""

    def unmanaged(
        self, backend: Any, desired: Mapping[str, Any], observed: Any, ctx: DiffContext
    ) -> list[Unmanaged]: ...


class FindsViolations(Protocol):
    """Optional kind member for `kgov audit`: live policy violations among what observe and the
    `unmanaged` hook found (no further reads)."""

    def violations(
        self, observed: Any, unmanaged: Sequence[Unmanaged], ctx: DiffContext
    ) -> list[Violation]: ...


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


def narrowed(kind: Kind, scope: JSON, names: Sequence[str]) -> JSON | None:
    """`scope` narrowed to `names` (a scoped plan, `kgov plan --base`), or None when the kind cannot
    narrow and is planned in full. A kind narrows by an optional method `narrow(scope, names)`
    returning the scope that reads only those resources (the deletes among them included, when
    the full scope covers them); its diff then sees only the desired resources among `names`."""
    narrow = getattr(kind, "narrow", None)
    return None if narrow is None else narrow(scope, names)


class ChecksRights(Protocol):
    """Optional kind member: stop a plan whose changes kgov's own principal may not make, naming the
    operation and the resource (a plan kgov could not apply is not a plan to review)."""

    def check_rights(self, backend: Any, entries: Sequence[Entry]) -> None: ...


def check_rights(kind: Kind, backend: Any, entries: Sequence[Entry]) -> None:
    check = getattr(kind, "check_rights", None)
    if check is not None and entries:
        check(backend, entries)


class Snapshotting(Protocol):
    """Optional members of a kind that can be planned from a snapshot (`kgov snapshot`,
    `kgov plan --snapshot`). A kind without them is left out of snapshots (plan says so)."""

    def snapshot_scope(self, scope: JSON) -> JSON:
        """What a snapshot reads, from the plan scope of the catalog it is taken with: wider, so that
        plans of a changed catalog (a pull request) can be answered from it."""
        ...

    def snapshot_state(self, backend: Any, scope: JSON) -> JSON:
        """Optional: what the snapshot saves, read with the snapshot scope (never a secret). Without
        it, `state_json(observe(backend, scope))`: a kind whose state_json is a digest's summary
        (ACL bindings) or needs a secret to read (SCRAM logins) saves more, or less, here."""
        ...

    def state_from_json(self, doc: JSON) -> Any:
        """The inverse of what the snapshot saves (`snapshot_state`, else `state_json`)."""
        ...

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> Any:
        """What `observe(backend, scope)` would have returned when the snapshot (read with scope
        `taken`, observed state `state`) was taken; a PlanError when the snapshot cannot say."""
        ...


class Narrows(Protocol):
    """Optional kind member, looked up by `narrowed` above: the scope that reads only `names`."""

    def narrow(self, scope: JSON, names: Sequence[str]) -> JSON: ...


class Reviewed(Protocol):
    """Optional kind members used by `kgov diff --base` (kgov/review/compare.py); without them the
    desired values are compared as plain JSON, classified by the built-in rules of the kind's name,
    and located at the catalog entry that names them."""

    def desired_json(self, value: Any) -> JSON:
        """A desired value as the JSON a reviewer compares."""
        ...

    def classify(
        self, name: str, before: JSON, after: JSON, head: Catalog, base: Catalog
    ) -> Sequence[tuple[str, str, str]]:
        """(code, level, message) for each reason the change is safe, needs attention or breaks."""
        ...

    def locate(self, catalog: Catalog, name: str) -> Location | None:
        """Where the catalog declares the resource."""
        ...
