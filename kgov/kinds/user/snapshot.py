"""SCRAM users in a snapshot: names, mechanisms and iterations of every user, never a secret.

A plan verifies each password by logging in; a snapshot cannot (it holds no password, and a plan
from it has no connection). So a plan from a snapshot marks those logins unverifiable: it says
which users it could not verify, as for a password that is not set, and plans no password change.
Apply re-reads the cluster and tries the logins; the plan's state records only failed logins, so a
password that still works lets the plan apply, and one changed since is refused as stale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kgov.cluster.kafka.access_port import UNVERIFIABLE, LoginResult, ScramCredential
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.kinds.user.observe import ObservedUserState, UserScope
from kgov.kinds.user.users import ObservedUsers
from kgov.plan.model import JSON

OFFLINE = "planned from a snapshot: a login cannot be tried offline"


def snapshot_state(kafka: KafkaAdmin, scope: JSON) -> JSON:
    """One DescribeUserScramCredentials request; no login is tried, so no password is needed."""
    return {
        "credentials": {
            user: [[c.mechanism, c.iterations] for c in creds]
            for user, creds in sorted(kafka.describe_scram().items())
            if creds
        }
    }


def state_from_json(doc: Mapping[str, Any]) -> dict[str, tuple[ScramCredential, ...]]:
    return {
        str(user): tuple(ScramCredential(str(user), str(m), int(n)) for m, n in creds)
        for user, creds in doc["credentials"].items()
    }


def from_snapshot(taken: JSON, state: Mapping[str, Any], scope: JSON) -> ObservedUserState:
    wanted = UserScope.from_json(scope)
    creds = {u: c for u, c in state_from_json(state).items() if wanted.only is None or u in wanted.only}
    logins = {
        name: LoginResult(name, UNVERIFIABLE, OFFLINE)
        for name, want in sorted(wanted.users.items())
        if (wanted.only is None or name in wanted.only)
        and any(c.mechanism == want.mechanism for c in creds.get(name, ()))
    }
    return ObservedUserState(wanted, ObservedUsers(creds, logins))
