"""The user kind: SCRAM credentials of the principals with `authentication.scram`.

Users are created and updated first (phase 10), so a service's login exists before its grants;
deletes come last (phase 90) and need `ownership.delete: true` and `--allow-delete`. A plan holds
the password's reference only; apply resolves it and refuses a user whose secret is not set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.catalog.resolve import own_user
from kgov.cluster.kafka.access_port import ScramCredential, ScramDelete, ScramUpsert
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.diagnostics import Location
from kgov.errors import KgovError
from kgov.kinds.access_file import principal_location
from kgov.kinds.base import (
    PHASE_DELETES,
    PHASE_USERS,
    BelongsToPrincipal,
    ChecksRights,
    DiffContext,
    FindsUnmanaged,
    Locates,
    SavesSnapshotState,
    Snapshotting,
    Unmanaged,
)
from kgov.kinds.evidence import ShowsEvidence
from kgov.kinds.principal_evidence import principal_evidence
from kgov.kinds.rights import require_on_cluster
from kgov.kinds.user import snapshot
from kgov.kinds.user.observe import ObservedUserState, UserScope, observe_users, password_of
from kgov.kinds.user.users import (
    DesiredUser,
    UserChange,
    desired_users,
    diff_users,
    iterations_problem,
    owned_user,
)
from kgov.plan.model import JSON, Change, Entry

KIND = "user"


def _entry(c: UserChange) -> Entry:
    principal = (c.after or {}).get("principal") or f"User:{c.user}"
    return Entry(
        address=f"{KIND}.{c.user}",
        kind=KIND,
        name=c.user,
        action=c.action,
        before=c.before,
        after=c.after,
        changes=tuple(Change(r["field"], r["before"], r["after"]) for r in c.changes),
        group=principal,
        label=c.user + (f" ({c.after['mechanism']})" if c.after else ""),
    )


class UserKind(
    ChecksRights,
    FindsUnmanaged,
    Snapshotting,
    SavesSnapshotState,
    Locates,
    BelongsToPrincipal,
    ShowsEvidence,
):
    name = KIND
    title = "SCRAM users"
    backend = "kafka"
    order: Mapping[str, int] = {"create": PHASE_USERS, "update": PHASE_USERS, "delete": PHASE_DELETES}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, DesiredUser]:
        return desired_users(catalog, env.name)

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        return UserScope(dict(desired), catalog.services(), catalog.settings.ownership.protected).to_json()

    def observe(self, backend: KafkaAdmin, scope: JSON) -> ObservedUserState:
        return observe_users(backend, UserScope.from_json(scope))

    def state_json(self, observed: ObservedUserState) -> JSON:
        return observed.to_json()

    def diff(
        self, desired: Mapping[str, DesiredUser], observed: ObservedUserState, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        scope, me = observed.scope, own_user(ctx.environment)
        owned = [u for u in observed.users.credentials if owned_user(u, scope.services, scope.protected, me)]
        ownership = ctx.settings.ownership
        changes, warnings = diff_users(desired, observed.users, owned, ownership.delete, ctx.allow_delete)
        missing = sorted(c.user for c in changes if c.action != "delete" and c.user in observed.unresolved)
        if missing:
            warnings.append(
                "apply will refuse to create or update SCRAM user(s) whose password is not set: "
                + ", ".join(missing)
            )
        return [_entry(c) for c in changes], warnings

    def check_rights(self, backend: KafkaAdmin, entries: Sequence[Entry]) -> None:
        require_on_cluster(backend, "ALTER", "create, update and delete SCRAM users")

    def evidence(
        self,
        backend: KafkaAdmin,
        entries: Sequence[Entry],
        ctx: DiffContext,
        other: Callable[[str], Any],
        planned: Sequence[Entry],
    ) -> list[Entry]:
        """A user whose principal's groups hold committed offsets or that has an open transaction
        is blocked: see kgov/kinds/principal_evidence.py."""
        return principal_evidence(
            backend,
            other("reassign"),
            entries,
            ctx,
            principal_of=lambda e: str(e.group),
            judge=lambda p, _e: p.judge_user(),
            subject=lambda e: f"SCRAM user {e.name}",
            planned=planned,
        )

    def apply(self, backend: KafkaAdmin, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        out: dict[str, str | None] = {}
        upserts: list[ScramUpsert] = []
        deletes: list[ScramDelete] = []
        by_user = {e.name: e for e in entries}
        for e in entries:
            old = sorted((e.before or {}).get("mechanisms", {}))
            if e.action == "delete":
                deletes += [ScramDelete(e.name, m) for m in old]
                continue
            after = e.after
            want = DesiredUser(
                e.name, after["principal"], "", after["mechanism"], after["iterations"], after["password_ref"]
            )
            problem = iterations_problem(want.iterations)
            if problem is not None:  # a plan file no catalog would give: never derived, never sent
                out[e.address] = f"not applied: {problem}"
                continue
            try:
                password = password_of(want)
            except KgovError as exc:
                out[e.address] = f"not applied: {exc.message}"
                continue
            upserts.append(ScramUpsert(e.name, want.mechanism, want.iterations, password))
            deletes += [ScramDelete(e.name, m) for m in old if m != want.mechanism]
        if upserts or deletes:
            for user, error in backend.alter_scram(upserts, deletes).items():
                if user in by_user:
                    out[by_user[user].address] = error
        return out

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        return {**scope, "only": sorted({e.name for e in entries})}

    def visible(self, entry: Entry, observed: ObservedUserState) -> bool:
        creds = observed.users.credentials.get(entry.name, ())
        if entry.action == "delete":
            return not creds
        after = entry.after
        login = observed.users.logins.get(entry.name)
        return [(c.mechanism, c.iterations) for c in creds] == [
            (after["mechanism"], after["iterations"])
        ] and (login is None or login.verdict == "ok")

    def unmanaged(
        self,
        backend: KafkaAdmin,
        desired: Mapping[str, DesiredUser],
        observed: ObservedUserState,
        ctx: DiffContext,
    ) -> list[Unmanaged]:
        me = own_user(ctx.environment)  # kgov's own login is the operator's, not the catalog's
        return [
            Unmanaged(KIND, name, name, {"mechanisms": sorted(c.mechanism for c in creds)})
            for name, creds in sorted(observed.users.credentials.items())
            if name not in desired and name != me and creds
        ]

    def touches_principal(self, entry: Entry, user: str, principal: str) -> bool:
        return entry.name == user or entry.group == principal  # the login, or its principal's

    # -- snapshots (`kgov snapshot`, `kgov plan --snapshot`): see kgov/kinds/user/snapshot.py -----
    def snapshot_scope(self, scope: JSON) -> JSON:
        return scope  # the snapshot saves every user's mechanisms: any catalog can be planned from it

    def snapshot_state(self, backend: KafkaAdmin, scope: JSON) -> JSON:
        return snapshot.snapshot_state(backend, scope)

    def state_from_json(self, doc: JSON) -> dict[str, tuple[ScramCredential, ...]]:
        return snapshot.state_from_json(doc)

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> ObservedUserState:
        return snapshot.from_snapshot(taken, state, scope)

    def locate(self, catalog: Catalog, name: str, value: JSON) -> Location | None:
        return principal_location(catalog, name, value)  # the acls file that declares the login
