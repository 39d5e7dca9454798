"""Read the SCRAM users (one request) and verify the catalog's passwords by logging in.

A password is resolved here only to try it; it is never kept: the observed state holds verdicts
(ok / failed / unverifiable), never a password, hash or salt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kgov.cluster.kafka.access_port import FAILED, UNVERIFIABLE, LoginAttempt, LoginResult
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.errors import KgovError
from kgov.kinds.user.users import DesiredUser, ObservedUsers
from kgov.secrets import resolve_refs


@dataclass(frozen=True)
class UserScope:
    users: dict[str, DesiredUser]
    services: tuple[str, ...]
    protected: tuple[str, ...]
    only: tuple[str, ...] | None = None  # while waiting after apply: just these users

    def to_json(self) -> dict[str, Any]:
        return {
            "users": {
                u.user: {
                    "principal": u.principal,
                    "service": u.service,
                    "mechanism": u.mechanism,
                    "iterations": u.iterations,
                    "password_ref": u.password_ref,
                }
                for u in sorted(self.users.values(), key=lambda u: u.user)
            },
            "services": list(self.services),
            "protected": list(self.protected),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> UserScope:
        users = {
            name: DesiredUser(
                name, u["principal"], u["service"], u["mechanism"], u["iterations"], u["password_ref"]
            )
            for name, u in doc["users"].items()
        }
        only = doc.get("only")
        return cls(
            users, tuple(doc["services"]), tuple(doc["protected"]), None if only is None else tuple(only)
        )


@dataclass(frozen=True)
class ObservedUserState:
    scope: UserScope
    users: ObservedUsers
    unresolved: dict[str, str] = field(default_factory=dict)  # user -> why its password is unknown

    def to_json(self) -> dict[str, Any]:
        names = sorted(set(self.scope.users) | set(self.users.credentials))
        return {
            name: {
                "credentials": [[c.mechanism, c.iterations] for c in self.users.credentials.get(name, ())],
                # only a failed login changes a plan: "ok" and "unverifiable" (no secret here, or a
                # plan from a snapshot) plan the same, so a plan made without the secret still applies
                "login": FAILED
                if name in self.users.logins and self.users.logins[name].verdict == FAILED
                else None,
            }
            for name in names
            if name in self.scope.users or _owned_like(name, self.scope.services)
        }


def _owned_like(user: str, services: tuple[str, ...]) -> bool:
    return any(user == s or user.startswith(f"{s}-") for s in services)


def password_of(user: DesiredUser) -> str:
    """The secret behind the user's reference: raises ConfigError naming the variable or file."""
    return resolve_refs(user.password_ref, f"the SCRAM password of {user.principal}")


def observe_users(kafka: KafkaAdmin, scope: UserScope) -> ObservedUserState:
    found = kafka.describe_scram()
    creds = {u: tuple(c) for u, c in found.items() if scope.only is None or u in scope.only}
    attempts: list[LoginAttempt] = []
    unresolved: dict[str, str] = {}
    for name, want in sorted(scope.users.items()):
        if scope.only is not None and name not in scope.only:
            continue
        if not any(c.mechanism == want.mechanism for c in creds.get(name, ())):
            continue  # nothing to verify: the diff plans a create or a mechanism change
        try:
            attempts.append(LoginAttempt(name, want.mechanism, password_of(want)))
        except KgovError as exc:
            unresolved[name] = exc.message  # names the variable or file, never a value
    logins: dict[str, LoginResult] = dict(kafka.verify_logins(attempts)) if attempts else {}
    for name, why in unresolved.items():
        logins[name] = LoginResult(name, UNVERIFIABLE, why)
    return ObservedUserState(scope, ObservedUsers(creds, logins), unresolved)
