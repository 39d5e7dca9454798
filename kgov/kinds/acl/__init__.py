"""The ACL kind: the bindings that the catalog's acls/ files grant their principals.

Grants are created in phase 30, before the topics' neighbours change; revocations (bindings of a
managed principal that the catalog no longer grants) run in phase 70, so a replacement grant
exists before the old one goes. Principals the catalog does not declare are never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

from kgov.bindings import Binding
from kgov.catalog.grants import bindings_for, principal_for
from kgov.catalog.model import AccessFile, Catalog, Environment
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.diagnostics import Location
from kgov.kinds.access_file import principal_location
from kgov.kinds.acl import snapshot
from kgov.kinds.acl.diff import diff_rows
from kgov.kinds.acl.imports import import_principals
from kgov.kinds.acl.observe import AclScope, ObservedAcls, observe_acls
from kgov.kinds.acl.review import acl_reasons
from kgov.kinds.base import (
    PHASE_GRANTS,
    PHASE_REVOCATIONS,
    AuditFacts,
    BelongsToPrincipal,
    ChecksRights,
    ClassifiesChanges,
    DiffContext,
    FindsUnmanaged,
    Imported,
    Imports,
    LendsAuditFacts,
    Locates,
    Narrows,
    SavesSnapshotState,
    Snapshotting,
    Unmanaged,
)
from kgov.kinds.by_file import NarrowsByFile, differing
from kgov.kinds.evidence import ShowsEvidence
from kgov.kinds.principal_evidence import Judged, Principal, principal_evidence
from kgov.kinds.rights import require_on_cluster
from kgov.plan.model import JSON, Entry

KIND = "acl"


class DesiredAcls(dict[str, Binding]):
    """Bindings by address, and the principals they belong to (some may be granted nothing)."""

    principals: frozenset[str] = frozenset()


# id(access file) -> (the file, environment, its principal and bindings by address). A scoped plan
# derives the working tree's desired bindings twice and the base's once, and the base shares the
# working tree's objects for every file that did not change (kgov/review/base.py): nearly every
# answer is found here, the same Binding objects (the review's comparison skips them by identity).
# The file is held, so its id cannot be reused by another object while it is remembered.
_bindings: dict[int, tuple[AccessFile, str, str, dict[str, Binding]]] = {}
_REMEMBERED = 20_000  # files


def _file_bindings(af: AccessFile, env: str) -> tuple[str, dict[str, Binding]]:
    """The principal of an acls file in `env` and the bindings it grants there, by address. (The
    same as `desired_bindings`: a principal declared by two files is granted both files' bindings.)"""
    known = _bindings.get(id(af))
    if known is not None and known[0] is af and known[1] == env:
        return known[2], known[3]
    who = principal_for(af, env)
    by_address = {b.address: b for b in bindings_for(af, env)}
    if len(_bindings) >= _REMEMBERED:
        _bindings.clear()
    _bindings[id(af)] = (af, env, who, by_address)
    return who, by_address


def _granted(catalog: Catalog, env: str, addresses: Set[str]) -> dict[str, Binding]:
    """The bindings among `addresses` that the catalog grants, in `desired`'s order; only the files
    of the principals an address can belong to are read (an address starts with `acl.<principal>.`:
    AclScope.narrow finds them; any other principal's bindings are not among the addresses)."""
    principals = frozenset(principal_for(af, env) for af in catalog.access_files)
    who = frozenset(AclScope(tuple(principals), ()).narrow(tuple(addresses)).principals)
    out: dict[str, Binding] = {}
    for af in catalog.access_files:
        if principal_for(af, env) in who:
            out.update((a, b) for a, b in _file_bindings(af, env)[1].items() if a in addresses)
    return out


def _judge(principal: Principal, entry: Entry) -> Judged:
    return principal.judge_binding(Binding.from_json(entry.before))


def _entry(b: Binding, action: str) -> Entry:
    doc = b.to_json()
    return Entry(
        address=b.address,
        kind=KIND,
        name=b.address.removeprefix(f"{KIND}."),
        action=action,
        before=doc if action == "delete" else None,
        after=doc if action == "create" else None,
        group=b.principal,
        label=b.label,
    )


class AclKind(
    Narrows,
    NarrowsByFile,
    ChecksRights,
    FindsUnmanaged,
    Snapshotting,
    SavesSnapshotState,
    Imports,
    ClassifiesChanges,
    Locates,
    LendsAuditFacts,
    BelongsToPrincipal,
    ShowsEvidence,
):
    name = KIND
    title = "ACL bindings"
    backend = "kafka"
    order: Mapping[str, int] = {"create": PHASE_GRANTS, "delete": PHASE_REVOCATIONS}

    def desired(self, catalog: Catalog, env: Environment) -> DesiredAcls:
        out = DesiredAcls()
        principals = set()
        for af in catalog.access_files:
            who, by_address = _file_bindings(af, env.name)
            principals.add(who)  # a principal granted nothing is managed too
            out.update(by_address)
        out.principals = frozenset(principals)
        return out

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        principals = getattr(desired, "principals", None) or {b.principal for b in desired.values()}
        topics = sorted({t.name for t in catalog.topics()})
        return AclScope(tuple(sorted(principals)), tuple(topics)).to_json()

    def narrow(self, scope: JSON, names: Sequence[str]) -> JSON:
        """Only the bindings `names` (addresses), read by their principals: kgov/kinds/acl/observe.py."""
        return AclScope.from_json(scope).narrow(names).to_json()

    def changed_values(
        self, head: Catalog, base: Catalog, envs: tuple[Environment, Environment]
    ) -> tuple[Mapping[str, Binding], Mapping[str, Binding]] | None:
        """Only a binding granted by an acls file that differs can change; each side's value of it
        is read from every file of that side that can grant it (a principal may have two files,
        one unchanged: it may grant the binding on both sides)."""
        if envs[0].name != envs[1].name:
            return None
        env = envs[0].name
        new, old = differing(head.access_files, base.access_files)
        if not new and not old:
            return {}, {}
        addresses = frozenset(a for af in (*new, *old) for a in _file_bindings(af, env)[1])
        return _granted(head, env, addresses), _granted(base, env, addresses)

    def desired_of(
        self, catalog: Catalog, env: Environment, names: Sequence[str]
    ) -> tuple[Mapping[str, Binding], JSON] | None:
        """The bindings `names` by reading only the acls files of the principals they can belong
        to; the narrowed scope names no topics (so the catalog's topics are not listed)."""
        principals = frozenset(principal_for(af, env.name) for af in catalog.access_files)
        scope = AclScope(tuple(sorted(principals)), ()).narrow(names)
        return _granted(catalog, env.name, frozenset(names)), scope.to_json()

    def observe(self, backend: KafkaAdmin, scope: JSON) -> ObservedAcls:
        return observe_acls(backend, AclScope.from_json(scope))

    def state_json(self, observed: ObservedAcls) -> JSON:
        return observed.to_json()

    def diff(
        self, desired: Mapping[str, Binding], observed: ObservedAcls, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        scope = observed.scope
        managed = {*scope.principals, *(b.principal for b in desired.values())}
        found = diff_rows(managed, desired.values(), observed.rows, frozenset(scope.topics))
        entries = [_entry(b, "create") for b in found.creates] + [_entry(b, "delete") for b in found.revokes]
        return entries, list(found.warnings)

    def check_rights(self, backend: KafkaAdmin, entries: Sequence[Entry]) -> None:
        require_on_cluster(backend, "ALTER", "create and delete ACL bindings")

    def evidence(
        self,
        backend: KafkaAdmin,
        entries: Sequence[Entry],
        ctx: DiffContext,
        other: Callable[[str], Any],
        planned: Sequence[Entry],
    ) -> list[Entry]:
        """A revoked binding that lets its principal consume or use a transactional id still in use
        is blocked: see kgov/kinds/principal_evidence.py."""
        return principal_evidence(
            backend,
            other("reassign"),
            entries,
            ctx,
            principal_of=lambda e: str(e.group),
            judge=_judge,
            subject=lambda e: f"ACL binding {e.label}",
            planned=planned,
        )

    def apply(self, backend: KafkaAdmin, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        out: dict[str, str | None] = {}
        creates = [Binding.from_json(e.after) for e in entries if e.action == "create"]
        if creates:
            out.update(backend.create_acls(creates))
        revokes = [Binding.from_json(e.before) for e in entries if e.action == "delete"]
        if revokes:
            out.update(backend.delete_acls(revokes))
        return out

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        return {**scope, "topics": []}  # no visibility check while waiting

    def visible(self, entry: Entry, observed: ObservedAcls) -> bool:
        doc = entry.after if entry.action == "create" else entry.before
        present = Binding.from_json(doc) in observed.bindings
        return present if entry.action == "create" else not present

    def unmanaged(
        self, backend: KafkaAdmin, desired: Mapping[str, Binding], observed: ObservedAcls, ctx: DiffContext
    ) -> list[Unmanaged]:
        managed = set(observed.scope.principals)
        return [
            Unmanaged(KIND, b.address.removeprefix(f"{KIND}."), b.label, b.to_json())
            for b in sorted(observed.bindings, key=lambda b: b.address)
            if b.principal not in managed
        ]

    def audit_facts(
        self, desired: Mapping[str, Binding], observed: ObservedAcls | None, unmanaged: Sequence[Unmanaged]
    ) -> AuditFacts:
        """The bindings on the cluster, all of them; nothing read, those the catalog derives."""
        return AuditFacts(bindings=tuple(desired.values() if observed is None else observed.bindings))

    def touches_principal(self, entry: Entry, user: str, principal: str) -> bool:
        return entry.group == principal  # a binding belongs to its principal

    # -- snapshots (`kgov snapshot`, `kgov plan --snapshot`): see kgov/kinds/acl/snapshot.py ------
    def snapshot_scope(self, scope: JSON) -> JSON:
        return scope  # the snapshot saves every binding: any principal can be planned from it

    def snapshot_state(self, backend: KafkaAdmin, scope: JSON) -> JSON:
        return snapshot.snapshot_state(backend, scope)

    def state_from_json(self, doc: JSON) -> frozenset[Binding]:
        return snapshot.state_from_json(doc)

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> ObservedAcls:
        return snapshot.from_snapshot(taken, state, scope)

    def classify(
        self, name: str, before: JSON, after: JSON, head: Catalog, base: Catalog
    ) -> Sequence[tuple[str, str, str]]:
        return [r.triple() for r in acl_reasons(name, before, after, head, base)]

    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        return principal_location(catalog, name, value)  # the principal's acls file

    # -- `kgov import` (each principal's bindings and SCRAM login): see kgov/kinds/acl/imports.py --
    def import_files(self, backend: KafkaAdmin, catalog: Catalog, env: Environment) -> Imported:
        return import_principals(backend, catalog, env)
