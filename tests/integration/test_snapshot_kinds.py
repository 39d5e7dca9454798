"""Snapshots of every kind on the real sandbox: after the example is applied, snapshot-then-plan
equals the plan against the cluster for topics, SCRAM users, ACL bindings and subjects; after drift
out of band (a topic config, a binding revoked and one added, a user's iterations, a subject's
level), both plans show the same drift, and the offline plan applies."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from kgov.cluster.registry.adapter import HttpRegistry, RegistrySettings
from tests.integration.kgovtest import admin
from tests.support import kgov

REPO = Path(__file__).resolve().parents[2]
SCRAM_SERVICES = ("orders", "inventory", "notifications", "shipping", "users")
PASSWORDS = {s: f"{s}-{secrets.token_hex(8)}" for s in SCRAM_SERVICES}
KINDS = {"broker", "topic", "replicas", "user", "acl", "quota", "subject"}


def registry() -> HttpRegistry:
    url = os.environ["KGOV_SCHEMA_REGISTRY_URL"]
    host, _, rest = url.removeprefix("http://").partition(":")
    port, _, path = rest.partition("/")
    return HttpRegistry(RegistrySettings(url, host, int(port), "/" + path, False, None, None))


def ok(*args: str) -> str:
    result = kgov(*args)
    assert result.code in (0, 2), result.output
    return result.output


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("snapshot-kinds") / "catalog"
    shutil.copytree(REPO / "catalog", root)
    saved = {f"{s.upper()}_PASSWORD": os.environ.get(f"{s.upper()}_PASSWORD") for s in SCRAM_SERVICES}
    os.environ.update({f"{s.upper()}_PASSWORD": pw for s, pw in PASSWORDS.items()})
    ok("apply", "--env", "local", "-c", str(root), "--auto-approve")
    yield root
    ok("apply", "--env", "local", "-c", str(root), "--auto-approve")  # undo the drift
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _both(catalog: Path, tmp: Path) -> tuple[dict[str, Any], dict[str, Any], Path]:
    snap, offline, live = tmp / "state.json", tmp / "offline.json", tmp / "live.json"
    ok("snapshot", "--env", "local", "-c", str(catalog), "--out", str(snap))
    text = snap.read_text("utf-8")
    assert not any(pw in text for pw in PASSWORDS.values()) and os.environ["KGOV_PASSWORD"] not in text
    ok("plan", "--env", "local", "-c", str(catalog), "--snapshot", str(snap), "--out", str(offline))
    ok("plan", "--env", "local", "-c", str(catalog), "--out", str(live))
    return json.loads(offline.read_text()), json.loads(live.read_text()), offline


def _drift() -> None:
    a = admin()
    topic = ConfigResource(
        ResourceType.TOPIC,
        "orders.created",
        incremental_configs=[
            ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET)
        ],
    )
    for f in a.incremental_alter_configs([topic]).values():
        f.result(30)
    write = AclBindingFilter(
        ResourceType.TOPIC, "orders.created", ResourcePatternType.LITERAL, "User:orders", "*",
        AclOperation.WRITE, AclPermissionType.ALLOW,
    )  # fmt: skip
    for f in a.delete_acls([write]).values():
        f.result(30)
    extra = AclBinding(
        ResourceType.TOPIC, "users.profile", ResourcePatternType.LITERAL, "User:orders", "*",
        AclOperation.READ, AclPermissionType.ALLOW,
    )  # fmt: skip
    for f in a.create_acls([extra]).values():
        f.result(30)
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    upsert = UserScramCredentialUpsertion("shipping", info, PASSWORDS["shipping"].encode())
    for f in a.alter_user_scram_credentials([upsert]).values():
        f.result(30)
    registry().set_level("orders.created-value", "NONE")


def test_snapshot_then_plan_equals_the_live_plan_for_every_kind(catalog: Path, tmp_path: Path) -> None:
    offline, live, _ = _both(catalog, tmp_path)
    assert set(offline["scope"]) == set(live["scope"]) == KINDS
    assert offline["resource_changes"] == live["resource_changes"] == []
    assert offline["fingerprint"] == live["fingerprint"]
    assert any("(planned from a snapshot: a login cannot be tried offline)" in w for w in offline["warnings"])

    _drift()
    expected = {
        ("topic", "topic.orders.created", "update"),
        ("acl", "acl.User:orders.topic.literal.orders.created.WRITE.allow.*", "create"),
        ("acl", "acl.User:orders.topic.literal.users.profile.READ.allow.*", "delete"),
        ("user", "user.shipping", "update"),
        ("subject", "subject.orders.created-value", "update"),
    }
    deadline = time.monotonic() + 30
    while True:  # the broker's view trails the controller by a moment
        offline, live, plan_file = _both(catalog, tmp_path)
        found = {(e["kind"], e["address"], e["action"]) for e in live["resource_changes"]}
        if found == expected or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert found == expected
    # a live plan's deletes carry evidence read from the cluster (docs/deletes.md); a snapshot has none
    live_changes = live["resource_changes"]
    bare = [{**e, "notes": [n for n in e["notes"] if not n.startswith("Evidence: ")]} for e in live_changes]
    assert offline["resource_changes"] == bare
    assert offline["fingerprint"] == live["fingerprint"]
    # the offline plan applies: apply re-reads the cluster and finds it as the snapshot said
    result = kgov("apply", str(plan_file), "--env", "local", "-c", str(catalog))
    assert result.code == 0, result.output
    again = kgov("plan", "--env", "local", "-c", str(catalog), "--detailed-exitcode")
    assert again.code == 0, again.output
    # the snapshot is stale now: a plan from it is refused at apply, and nothing is applied
    snap = tmp_path / "state.json"
    ok("plan", "--env", "local", "-c", str(catalog), "--snapshot", str(snap), "--out", str(plan_file))
    refused = kgov("apply", str(plan_file), "--env", "local", "-c", str(catalog))
    assert refused.code == 1 and "the cluster changed" in refused.stderr, refused.output
