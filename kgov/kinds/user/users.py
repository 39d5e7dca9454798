"""SCRAM users: who the catalog wants (desired), what the cluster shows (observed), the diff (pure).

A saved plan holds no password, hash or salt: a user's `after` names the password's reference
(`${env:ORDERS_PASSWORD}`), which apply resolves. Kafka never returns a password, so drift is
found by logging in as the user (observe); a failed login plans an update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kgov.bindings import scram_user
from kgov.catalog.grants import DEFAULT_ITERATIONS, principal_for
from kgov.catalog.model import Catalog
from kgov.catalog.patterns import protected_matcher
from kgov.cluster.kafka.access_port import FAILED, UNVERIFIABLE, LoginResult, ScramCredential
from kgov.errors import CatalogError

# What Kafka accepts (ScramMechanism's bounds). The client derives the salted password itself, so an
# unbounded count would spin apply at 100% CPU: lint refuses it (the acls schema), plan and apply too.
MIN_ITERATIONS, MAX_ITERATIONS = 4096, 16384


def iterations_problem(iterations: object) -> str | None:
    """Why a SCRAM iteration count cannot be applied, or None if Kafka accepts it."""
    whole = isinstance(iterations, int) and not isinstance(iterations, bool)
    if whole and MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:  # type: ignore[operator]
        return None
    return f"SCRAM iterations must be a whole number from {MIN_ITERATIONS} to {MAX_ITERATIONS}"


SENSITIVE = "(sensitive)"


@dataclass(frozen=True)
class DesiredUser:
    user: str
    principal: str
    service: str
    mechanism: str
    iterations: int
    password_ref: str  # a ${env:}/${file:} reference, never the secret


@dataclass(frozen=True)
class ObservedUsers:
    credentials: Mapping[str, tuple[ScramCredential, ...]]
    logins: Mapping[str, LoginResult] = field(default_factory=dict)


@dataclass(frozen=True)
class UserChange:
    user: str
    action: str  # create | update | delete
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: tuple[dict[str, Any], ...]
    service: str = ""


def desired_users(catalog: Catalog, env: str) -> dict[str, DesiredUser]:
    out: dict[str, DesiredUser] = {}
    for af in catalog.access_files:
        auth = af.authentication
        principal = principal_for(af, env)
        if auth is None or auth.kind != "scram" or not principal.startswith("User:"):
            continue
        user = scram_user(principal)
        problem = iterations_problem(auth.iterations or DEFAULT_ITERATIONS)
        if problem is not None:  # lint refuses it first; never plan what apply could not do
            raise CatalogError(f"service '{af.service}': {problem}", hint="fix authentication.scram")
        out[user] = DesiredUser(
            user,
            principal,
            af.service,
            auth.mechanism or "SCRAM-SHA-512",
            auth.iterations or DEFAULT_ITERATIONS,
            str(auth.password or ""),
        )
    return out


def owned_user(user: str, services: Sequence[str], protected: Sequence[str], self_user: str | None) -> bool:
    """A user the catalog may delete: a service's name or `<service>-…`; never kgov's own, never protected."""
    matcher = protected_matcher(tuple(protected))
    if user == self_user or (matcher is not None and matcher.match(user)):
        return False
    return any(user == s or user.startswith(f"{s}-") for s in services)


def _json(creds: Sequence[ScramCredential]) -> dict[str, Any]:
    return {"mechanisms": {c.mechanism: {"iterations": c.iterations} for c in creds}}


def _want_json(want: DesiredUser) -> dict[str, Any]:
    return {
        "principal": want.principal,
        "mechanism": want.mechanism,
        "iterations": want.iterations,
        "password": SENSITIVE,
        "password_ref": want.password_ref,
    }


def diff_users(
    desired: Mapping[str, DesiredUser],
    observed: ObservedUsers,
    owned: Sequence[str],
    delete_enabled: bool,
    allow_delete: bool,
) -> tuple[list[UserChange], list[str]]:
    """`owned`: users on the cluster that the catalog may delete (see owned_user)."""
    changes: list[UserChange] = []
    warnings: list[str] = []
    unverifiable: list[str] = []
    for user, want in sorted(desired.items()):
        creds = observed.credentials.get(user, ())
        if not creds:
            rows = ({"field": "password", "before": None, "after": SENSITIVE},)
            changes.append(UserChange(user, "create", None, _want_json(want), rows, want.service))
            continue
        rows_ = _rows(want, creds, observed.logins.get(user))
        if rows_:
            changes.append(
                UserChange(user, "update", _json(creds), _want_json(want), tuple(rows_), want.service)
            )
        elif (login := observed.logins.get(user)) is not None and login.verdict == UNVERIFIABLE:
            unverifiable.append(f"{user} ({login.reason})")
    if unverifiable:
        warnings.append("could not verify the password of SCRAM user(s): " + "; ".join(unverifiable))
    for user in sorted(set(owned) - set(desired)):
        creds = observed.credentials.get(user, ())
        if not creds:
            continue
        if delete_enabled and allow_delete:
            rows = ({"field": "password", "before": SENSITIVE, "after": None},)
            changes.append(UserChange(user, "delete", _json(creds), None, rows))
        elif delete_enabled:
            warnings.append(
                f"SCRAM user {user} is owned but not in the catalog; plan with --allow-delete to delete it"
            )
        else:
            warnings.append(
                f"SCRAM user {user} is owned but not in the catalog "
                "(deletes are off: ownership.delete is false)"
            )
    return changes, warnings


def _rows(
    want: DesiredUser, creds: Sequence[ScramCredential], login: LoginResult | None
) -> list[dict[str, Any]]:
    mechanisms = sorted(c.mechanism for c in creds)
    same = next((c for c in creds if c.mechanism == want.mechanism), None)
    rows: list[dict[str, Any]] = []
    if mechanisms != [want.mechanism]:
        rows.append({"field": "mechanism", "before": ", ".join(mechanisms), "after": want.mechanism})
    if same is not None and same.iterations != want.iterations:
        rows.append({"field": "iterations", "before": same.iterations, "after": want.iterations})
    if same is not None and login is not None and login.verdict == FAILED:
        rows.append({"field": "password", "before": "(login failed)", "after": SENSITIVE})
    return rows
