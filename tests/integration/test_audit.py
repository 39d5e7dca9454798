"""`kgov audit` of the real sandbox: after the example is applied, out-of-band drift, an unmanaged
topic, an unmanaged binding and an unmanaged SCRAM user are each found; the access matrix agrees
with what a real client can do; the HTML report is written."""

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
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from tests.integration import clients as c
from tests.integration.kgovtest import admin
from tests.support import kgov

REPO = Path(__file__).resolve().parents[2]
SCRAM_SERVICES = ("orders", "inventory", "notifications", "shipping", "users")
PASSWORDS = {s: f"{s}-{secrets.token_hex(8)}" for s in SCRAM_SERVICES}
TAG = secrets.token_hex(4)
LOOSE_TOPIC = f"legacy_{TAG}"
LOOSE_PRINCIPAL = f"User:mallory{TAG}"
LOOSE_USER = f"stranger{TAG}"


def run(*args: str) -> str:
    result = kgov(*args)
    assert result.code in (0, 2), result.output
    return result.output


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("audit") / "catalog"
    shutil.copytree(REPO / "catalog", root)
    saved = {f"{s.upper()}_PASSWORD": os.environ.get(f"{s.upper()}_PASSWORD") for s in SCRAM_SERVICES}
    os.environ.update({f"{s.upper()}_PASSWORD": pw for s, pw in PASSWORDS.items()})
    run("apply", "--env", "local", "-c", str(root), "--auto-approve")
    _plant()
    yield root
    a = admin()
    for f in a.delete_topics([LOOSE_TOPIC]).values():
        f.result(30)
    b = _loose_binding()
    filt = AclBindingFilter(
        b.restype, b.name, b.resource_pattern_type, b.principal, b.host, b.operation, b.permission_type
    )
    for f in a.delete_acls([filt]).values():
        f.result(30)
    for f in a.alter_user_scram_credentials(
        [UserScramCredentialDeletion(LOOSE_USER, ScramMechanism.SCRAM_SHA_512)]
    ).values():
        f.result(30)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _loose_binding() -> AclBinding:
    return AclBinding(
        ResourceType.TOPIC, "payments.", ResourcePatternType.PREFIXED, LOOSE_PRINCIPAL, "*",
        AclOperation.READ, AclPermissionType.ALLOW,
    )  # fmt: skip


def _plant() -> None:
    """Out of band, with the super user: drift, an unmanaged topic, binding and SCRAM user."""
    a = admin()
    resource = ConfigResource(ResourceType.TOPIC, "orders.created", set_config={"retention.ms": "1000"})
    for f in a.incremental_alter_configs([_incremental(resource)]).values():
        f.result(30)
    for f in a.create_topics([NewTopic(LOOSE_TOPIC, 1, 1)]).values():
        f.result(30)
    for f in a.create_acls([_loose_binding()]).values():
        f.result(30)
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096)
    upsert = UserScramCredentialUpsertion(LOOSE_USER, info, b"pw-of-the-stranger")
    for f in a.alter_user_scram_credentials([upsert]).values():
        f.result(30)


def _incremental(resource: ConfigResource) -> ConfigResource:
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry

    return ConfigResource(
        ResourceType.TOPIC,
        resource.name,
        incremental_configs=[
            ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET)
        ],
    )


def _audit(catalog: Path, out: Path) -> dict[str, Any]:
    """The audit, once the broker's view shows every planted item (it trails the controller)."""
    deadline = time.monotonic() + 30
    while True:
        run("audit", "--env", "local", "-c", str(catalog), "--format", "json", "--out", str(out))
        doc: dict[str, Any] = json.loads(out.read_text("utf-8"))
        names = {(u["kind"], u["name"]) for u in doc["unmanaged"]}
        if (("topic", LOOSE_TOPIC) in names and ("user", LOOSE_USER) in names) or time.monotonic() > deadline:
            return doc
        time.sleep(1)


def test_audit_finds_each_planted_item(catalog: Path, tmp_path: Path) -> None:
    doc = _audit(catalog, tmp_path / "audit.json")
    drift = {(e["kind"], e["name"], e["action"]) for e in doc["drift"]}
    assert ("topic", "orders.created", "update") in drift
    unmanaged = {(u["kind"], u["name"]) for u in doc["unmanaged"]}
    assert ("topic", LOOSE_TOPIC) in unmanaged
    assert ("user", LOOSE_USER) in unmanaged
    assert ("acl", f"{LOOSE_PRINCIPAL}.topic.prefixed.payments..READ.allow.*") in unmanaged
    assert ("topic", "orders.created") not in unmanaged and not any(n.startswith("__") for _, n in unmanaged)
    assert ("naming", LOOSE_TOPIC) in {(v["rule"], v["name"]) for v in doc["violations"]}
    cells = {(x["principal"], x["topic"]): x for x in doc["access_matrix"]["cells"]}
    assert cells[(LOOSE_PRINCIPAL, "payments.completed")]["rights"]["consume"] is True
    text = (tmp_path / "audit.json").read_text("utf-8")
    assert "pw-of-the-stranger" not in text and not any(pw in text for pw in PASSWORDS.values())


def test_matrix_agrees_with_a_real_client(catalog: Path, tmp_path: Path) -> None:
    doc = _audit(catalog, tmp_path / "audit.json")
    cells = {(x["principal"], x["topic"]): x["rights"] for x in doc["access_matrix"]["cells"]}
    orders = c.scram("orders", PASSWORDS["orders"])
    for topic in ("orders.created", "payments.completed", "users.profile"):
        may = cells.get(("User:orders", topic), {}).get("produce", False)
        assert (topic, c.produce(orders, topic) is None) == (topic, may)


def test_html_report_is_written(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    run("audit", "--env", "local", "-c", str(catalog), "--format", "html", "--out", str(out))
    page = out.read_text("utf-8")
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="flow"' in page and 'id="matrix"' in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
