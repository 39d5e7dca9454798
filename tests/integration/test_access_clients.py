"""Proof with real clients: after `kgov apply` of the example catalog, a SCRAM service (orders) and
an mTLS service (payments) can do exactly what their acls/ files say, and nothing else."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Producer

from tests.integration import clients as c
from tests.support import kgov

REPO = Path(__file__).resolve().parents[2]
SCRAM_SERVICES = ("orders", "inventory", "notifications", "shipping", "users")
PASSWORDS = {s: f"{s}-{secrets.token_hex(8)}" for s in SCRAM_SERVICES}
OUTPUTS: list[str] = []  # everything kgov printed or wrote here: grepped for the passwords last


def run(*args: str) -> str:
    result = kgov(*args)
    OUTPUTS.append(result.output)
    assert result.code in (0, 2), result.output
    return result.output


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("access") / "catalog"
    shutil.copytree(REPO / "catalog", root)
    saved = {f"{s.upper()}_PASSWORD": os.environ.get(f"{s.upper()}_PASSWORD") for s in SCRAM_SERVICES}
    os.environ.update({f"{s.upper()}_PASSWORD": pw for s, pw in PASSWORDS.items()})
    plan_file = root.parent / "plan.json"
    run("plan", "--env", "local", "-c", str(root), "--out", str(plan_file))
    run("plan", "--env", "local", "-c", str(root), "--format", "markdown")
    run("apply", str(plan_file), "--env", "local", "-c", str(root), "--auto-approve")
    OUTPUTS.append(plan_file.read_text("utf-8"))
    seed = Producer({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
    for topic in ("payments.completed", "payments.failed", "inventory.reserved", "shipping.delivered",
                  "orders.created", "orders.cancelled"):  # fmt: skip
        seed.produce(topic, b"seed")
    seed.flush(10)
    yield root
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def payments_tls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    cert, key = c.client_cert("payments", tmp_path_factory.mktemp("certs"))
    return c.mtls(cert, key)


def orders() -> dict[str, object]:
    return c.scram("orders", PASSWORDS["orders"])


def test_converged_after_apply(catalog: Path) -> None:
    out = run("plan", "--env", "local", "-c", str(catalog), "--detailed-exitcode")
    assert "No changes" in out


def test_scram_service_does_what_it_is_granted(catalog: Path) -> None:
    for topic in ("orders.created", "orders.cancelled", "orders.state"):
        assert (topic, c.produce(orders(), topic)) == (topic, None)
    assert c.produce_transactional(orders(), "orders-checkout-1", "orders.state") is None
    for topic in ("payments.completed", "payments.failed", "inventory.reserved", "shipping.delivered"):
        assert (topic, c.consume(orders(), "orders", topic)) == (topic, None)


def test_scram_service_is_denied_the_rest(catalog: Path) -> None:
    assert c.produce(orders(), "payments.completed") == "TOPIC_AUTHORIZATION_FAILED"  # it only consumes it
    assert c.consume(orders(), "orders", "users.profile") == "TOPIC_AUTHORIZATION_FAILED"  # never granted
    assert c.consume(orders(), "payments", "payments.completed") == "GROUP_AUTHORIZATION_FAILED"
    assert (
        c.produce_transactional(orders(), "payments-1", "orders.state")
        == "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"
    )


def test_mtls_service_does_what_it_is_granted(catalog: Path, payments_tls: dict[str, object]) -> None:
    for topic in ("payments.authorized", "payments.completed", "payments.failed", "payments.refunded"):
        assert (topic, c.produce(payments_tls, topic)) == (topic, None)
    assert c.produce_transactional(payments_tls, "payments-capture-1", "payments.completed") is None
    for topic in ("orders.created", "orders.cancelled"):
        assert (topic, c.consume(payments_tls, "payments", topic)) == (topic, None)


def test_mtls_service_is_denied_the_rest(catalog: Path, payments_tls: dict[str, object]) -> None:
    assert c.produce(payments_tls, "orders.created") == "TOPIC_AUTHORIZATION_FAILED"
    assert c.consume(payments_tls, "payments", "users.profile") == "TOPIC_AUTHORIZATION_FAILED"
    assert c.consume(payments_tls, "orders", "orders.created") == "GROUP_AUTHORIZATION_FAILED"
    assert c.produce_transactional(payments_tls, "orders-1", "payments.completed") == (
        "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"
    )


def test_removed_consumes_line_is_revoked(catalog: Path) -> None:
    acl = catalog / "acls" / "orders.yaml"
    original = acl.read_text("utf-8")
    acl.write_text(original.replace("consumes: [payments.completed, ", "consumes: ["), "utf-8")
    try:
        # the orders group still holds offsets on it (it consumed above): the revocation is blocked
        # with that evidence (docs/deletes.md), and goes with --allow-delete-active
        blocked = kgov("plan", "--env", "local", "-c", str(catalog))
        OUTPUTS.append(blocked.output)
        assert blocked.code == 1, blocked.output
        assert "! acl allow User:orders READ topic payments.completed" in blocked.output
        assert "consumer group(s) orders (on payments.completed) hold committed offsets" in blocked.output
        out = run("plan", "--env", "local", "-c", str(catalog), "--allow-delete-active")
        assert "- acl allow User:orders READ topic payments.completed" in out
        run("apply", "--env", "local", "-c", str(catalog), "--auto-approve", "--allow-delete-active")
        assert c.consume(orders(), "orders", "payments.completed") == "TOPIC_AUTHORIZATION_FAILED"
        assert c.consume(orders(), "orders", "payments.failed") is None  # the other lines still hold
    finally:
        acl.write_text(original, "utf-8")
        run("apply", "--env", "local", "-c", str(catalog), "--auto-approve")
    assert c.consume(orders(), "orders", "payments.completed") is None


def test_no_password_in_any_output(catalog: Path) -> None:
    """Runs last: every plan (text, Markdown, JSON file), apply output and the broker's log."""
    log = Path(os.environ["KGOV_CA_FILE"]).parents[1] / "logs"
    logs = [_read_if_there(p) for p in log.glob("*.log")] if log.is_dir() else []
    assert len(OUTPUTS) >= 8
    for text in OUTPUTS + logs:
        for pw in PASSWORDS.values():
            assert pw not in text


def _read_if_there(path: Path) -> str:
    """A log of the suite's own sandbox, which its processes write (or roll) while we read."""
    try:
        return path.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
