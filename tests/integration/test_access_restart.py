"""Kafka 4.1-4.4 bug: once another user's SCRAM-SHA-512 credential is created and deleted, a broker
restart loses the admin's SCRAM-SHA-512 credential. kgov deletes a user, the sandbox restarts,
and kgov's own login (SCRAM-SHA-512) must still work."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from tests.integration.access_support import admin_cluster
from tests.support import SETTINGS, kgov, unique_service

STATE_DIR = Path(__file__).resolve().parents[2] / ".kgov" / "sandbox"


def write(root: Path, service: str, with_user: bool) -> Path:
    (root / "acls").mkdir(parents=True, exist_ok=True)
    settings = {**SETTINGS, "ownership": {"protected": ["__*", "_*"], "delete": True}}
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    acl = root / "acls" / f"{service}.yaml"
    if with_user:
        acl.write_text(
            f"service: {service}\nprincipal: User:{service}\nauthentication:\n"
            "  scram: {mechanism: SCRAM-SHA-512, password: '${env:T_RESTART_PW}'}\n"
            f"consumer_groups: [{service}]\n",
            "utf-8",
        )
    else:  # the service keeps its file (so its name stays owned) but no longer logs in with SCRAM
        acl.write_text(
            f"service: {service}\nprincipal: User:{service}\nconsumer_groups: [{service}]\n", "utf-8"
        )
    return root


def test_kgov_login_survives_a_restart_after_a_user_is_deleted(tmp_path: Path) -> None:
    service = unique_service()
    os.environ["T_RESTART_PW"] = "restart-" + service
    try:
        root = write(tmp_path / "c", service, with_user=True)
        created = kgov("apply", "--env", "local", "-c", str(root), "--auto-approve")
        assert created.code == 0, created.output
        assert service in admin_cluster().describe_scram()

        write(root, service, with_user=False)
        deleted = kgov("apply", "--env", "local", "-c", str(root), "--auto-approve", "--allow-delete")
        assert deleted.code == 0, deleted.output
        assert f"delete user {service}" in deleted.output
        assert service not in admin_cluster().describe_scram()

        down = kgov("sandbox", "down", "--state-dir", str(STATE_DIR))
        assert down.code == 0, down.output
        up = kgov("sandbox", "up", "--state-dir", str(STATE_DIR))
        assert up.code == 0, up.output

        # kgov connects as the admin with SCRAM-SHA-512 (tests.support.SETTINGS): plan must log in
        after = kgov("plan", "--env", "local", "-c", str(root), "--detailed-exitcode")
        assert after.code == 0, after.output
        assert "admin" in admin_cluster().describe_scram()
        assert all(
            "restart-" + service not in text for text in (created.output, deleted.output, after.output)
        )
    finally:
        os.environ.pop("T_RESTART_PW", None)
