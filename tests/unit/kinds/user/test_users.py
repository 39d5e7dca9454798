"""The SCRAM user diff: create, mechanism/iteration/password drift, unverifiable, owned deletes."""

from __future__ import annotations

from kgov.cluster.kafka.access_port import FAILED, OK, UNVERIFIABLE, LoginResult, ScramCredential
from kgov.kinds.user.users import DesiredUser, ObservedUsers, diff_users, owned_user

WANT = {"orders": DesiredUser("orders", "User:orders", "orders", "SCRAM-SHA-512", 4096, "${env:ORDERS_PW}")}


def cred(mech: str = "SCRAM-SHA-512", it: int = 4096) -> ScramCredential:
    return ScramCredential("orders", mech, it)


def run(
    creds: tuple[ScramCredential, ...], verdict: str | None = OK
) -> tuple[list[dict[str, object]], list[str]]:
    logins = {} if verdict is None else {"orders": LoginResult("orders", verdict, "why")}
    changes, warnings = diff_users(
        WANT, ObservedUsers({"orders": creds} if creds else {}, logins), [], False, False
    )
    return [
        {"action": c.action, "rows": [r["field"] for r in c.changes], "after": c.after} for c in changes
    ], warnings


def test_missing_user_is_created_without_a_secret() -> None:
    changes, _ = run((), None)
    assert changes[0]["action"] == "create" and changes[0]["rows"] == ["password"]
    assert changes[0]["after"] == {
        "principal": "User:orders",
        "mechanism": "SCRAM-SHA-512",
        "iterations": 4096,
        "password": "(sensitive)",
        "password_ref": "${env:ORDERS_PW}",
    }


def test_converged_user_with_good_login_has_no_change() -> None:
    assert run((cred(),)) == ([], [])


def test_failed_login_is_a_password_update() -> None:
    changes, _ = run((cred(),), FAILED)
    assert [(c["action"], c["rows"]) for c in changes] == [("update", ["password"])]


def test_mechanism_and_iterations_changes() -> None:
    changes, _ = run((cred("SCRAM-SHA-256"),))
    assert [(c["action"], c["rows"]) for c in changes] == [("update", ["mechanism"])]
    changes, _ = run((cred(it=8192),))
    assert [(c["action"], c["rows"]) for c in changes] == [("update", ["iterations"])]
    changes, _ = run((cred(), cred("SCRAM-SHA-256")))
    assert [(c["action"], c["rows"]) for c in changes] == [("update", ["mechanism"])]


def test_unverifiable_is_a_warning_naming_the_user() -> None:
    changes, warnings = run((cred(),), UNVERIFIABLE)
    assert changes == []
    assert warnings == ["could not verify the password of SCRAM user(s): orders (why)"]


def test_delete_needs_ownership_delete_and_allow_delete() -> None:
    observed = ObservedUsers({"gone": (ScramCredential("gone", "SCRAM-SHA-512", 4096),)})
    for enabled, allow, actions in ((True, True, ["delete"]), (True, False, []), (False, True, [])):
        changes, warnings = diff_users({}, observed, ["gone"], enabled, allow)
        assert [c.action for c in changes] == actions
        assert bool(warnings) == (not actions)


def test_owned_users() -> None:
    assert owned_user("orders", ["orders"], ["_*"], "admin")
    assert owned_user("orders-stg", ["orders"], ["_*"], "admin")
    assert not owned_user("ordersx", ["orders"], ["_*"], "admin")
    assert not owned_user("admin", ["admin"], [], "admin")  # never kgov's own login
    assert not owned_user("_orders", ["_orders"], ["_*"], None)
