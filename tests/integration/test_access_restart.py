"""Kafka SCRAM credentials across a broker restart (Kafka 4.1-4.4 bug: once a SCRAM-SHA-512
credential has been created and deleted, a restart loses SCRAM credentials; seen here on 4.3.1 for
every user, not only the admin). kgov deletes one user, the sandbox restarts: kgov's own login
(SCRAM-SHA-512) must still work, and one apply restores any lost user of the catalog."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from kgov.cluster.kafka.access_port import OK, LoginAttempt
from tests.integration.access_support import admin_cluster
from tests.support import SETTINGS, kgov, unique_service

STATE_DIR = Path(__file__).resolve().parents[2] / ".kgov" / "sandbox"


def acl(service: str, scram: bool) -> str:
    auth = "authentication:\n  scram: {mechanism: SCRAM-SHA-512, password: '${env:T_RESTART_PW}'}\n"
    head = f"service: {service}\nprincipal: User:{service}\n"
    return head + (auth if scram else "") + f"consumer_groups: [{service}]\n"


def write(root: Path, gone: str, kept: str, with_gone_user: bool) -> Path:
    (root / "acls").mkdir(parents=True, exist_ok=True)
    settings = {**SETTINGS, "ownership": {"protected": ["__*", "_*"], "delete": True}}
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    # the gone service keeps its file (its name stays owned) but no longer logs in with SCRAM
    (root / "acls" / f"{gone}.yaml").write_text(acl(gone, with_gone_user), "utf-8")
    (root / "acls" / f"{kept}.yaml").write_text(acl(kept, True), "utf-8")
    return root


def test_kgov_login_survives_a_restart_after_a_user_is_deleted(tmp_path: Path) -> None:
    gone, kept = unique_service(), unique_service()
    password = "restart-" + gone
    os.environ["T_RESTART_PW"] = password
    outputs: list[str] = []

    def run(*args: str) -> str:
        result = kgov(*args)
        outputs.append(result.output)
        assert result.code == 0, result.output
        return result.output

    try:
        root = write(tmp_path / "c", gone, kept, with_gone_user=True)
        run("apply", "--env", "local", "-c", str(root), "--auto-approve")
        assert {gone, kept} <= set(admin_cluster().describe_scram())

        write(root, gone, kept, with_gone_user=False)
        out = run("apply", "--env", "local", "-c", str(root), "--auto-approve", "--allow-delete")
        assert f"delete user {gone}" in out
        assert gone not in admin_cluster().describe_scram()

        run("sandbox", "down", "--state-dir", str(STATE_DIR))
        run("sandbox", "up", "--state-dir", str(STATE_DIR), "--timeout", "300")

        # kgov connects as the admin with SCRAM-SHA-512 (tests.support.SETTINGS): this must log in,
        # and re-create the kept user if the restart lost it
        run("apply", "--env", "local", "-c", str(root), "--auto-approve")
        again = kgov("plan", "--env", "local", "-c", str(root), "--detailed-exitcode")
        assert again.code == 0, again.output
        login = admin_cluster().verify_logins([LoginAttempt(kept, "SCRAM-SHA-512", password)])
        assert login[kept].verdict == OK
        assert all(password not in text for text in [*outputs, again.output])
    finally:
        os.environ.pop("T_RESTART_PW", None)
