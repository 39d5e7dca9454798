"""`kgov audit` names the governance bypasses of a real cluster, with their remedies, in JSON, Markdown
and HTML (issue 21, part 3).

A one-broker sandbox of its own is started with `auto.create.topics.enable=true` and
`allow.everyone.if.no.acl.found=true` (`kgov sandbox up --server-property`; both are static in Kafka)
and stopped at the end, even when a test fails; the ordinary sandbox (the session's) gives neither
finding. Kafka hides the value of `allow.everyone.if.no.acl.found` (it answers the authorizer's
settings as sensitive), so that finding is the one for a broker that sets it at all (docs/audit.md).

KGOV_GOVERNANCE_SANDBOX_STATE_DIR  its state folder (default: <repo>/.kgov/sandbox-open)
KGOV_GOVERNANCE_SANDBOX_PORT_BASE  its ports, as `kgov sandbox up --port-base` (default 19200: 19200-19206,
                                   clear of the other sandboxes' 9092-9096, 8081-8082 and 19100-19125)
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kgov.errors import KgovError
from kgov.render.escape import md_text
from kgov.sandbox.api import Sandbox
from kgov.sandbox.settings import Overrides, ports_from_base
from tests.support import kgov

REPO = Path(__file__).resolve().parents[2]
PORT_BASE = 19200
START_TIMEOUT = 240.0
OPEN = (("allow.everyone.if.no.acl.found", "true"), ("auto.create.topics.enable", "true"))
BYPASSES = {
    "auto-create-topics": "auto.create.topics.enable",
    "allow-everyone-if-no-acl": "allow.everyone.if.no.acl.found",
}

SETTINGS = """version: 1
environments:
  local:
    kafka:
      bootstrap_servers: ${env:KGOV_BOOTSTRAP_SASL}
      security_protocol: SASL_PLAINTEXT
      sasl_mechanism: SCRAM-SHA-512
      username: ${env:KGOV_USERNAME}
      password: ${env:KGOV_PASSWORD}
    overrides: {replication_factor: 1, config: {min.insync.replicas: 1}}
"""


@pytest.fixture(scope="module")
def open_env() -> Iterator[dict[str, str]]:
    """The KGOV_* variables of a running sandbox whose governance can be bypassed."""
    explicit = os.environ.get("KGOV_GOVERNANCE_SANDBOX_STATE_DIR")
    box = Sandbox(Path(explicit) if explicit else REPO / ".kgov" / "sandbox-open")
    base = int(os.environ.get("KGOV_GOVERNANCE_SANDBOX_PORT_BASE", PORT_BASE))
    started_here = not box.is_running()
    try:
        try:
            box.up(Overrides(ports=ports_from_base(base), server_properties=OPEN), timeout=START_TIMEOUT)
        except KgovError as exc:
            pytest.fail(f"the open sandbox could not start: {exc.message}\nhint: {exc.hint}", pytrace=False)
        yield box.env()
    finally:
        if started_here:
            box.down()


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kgov's login and nothing else: the audit reads the brokers' settings with or without a cluster
    file (the broker kind widens the audit's read)."""
    root = tmp_path_factory.mktemp("governance") / "catalog"
    root.mkdir(parents=True)
    (root / "kgov.yaml").write_text(SETTINGS, "utf-8")
    return root


@contextmanager
def connected_to(env: dict[str, str]) -> Iterator[None]:
    """os.environ pointing kgov at `env`'s sandbox, then back (kgov runs in this process)."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _audit(catalog: Path, fmt: str, out: Path) -> str:
    result = kgov("audit", "--env", "local", "-c", str(catalog), "--format", fmt, "--out", str(out))
    assert result.code == 0, result.output
    return out.read_text("utf-8")


def _bypasses(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["rule"]: v for v in doc["violations"] if v["kind"] == "broker" and v["rule"] in BYPASSES}


def test_the_audit_names_both_bypasses_with_their_remedies(
    open_env: dict[str, str], catalog: Path, tmp_path: Path
) -> None:
    with connected_to(open_env):
        doc = json.loads(_audit(catalog, "json", tmp_path / "audit.json"))
        markdown = _audit(catalog, "markdown", tmp_path / "audit.md")
        page = _audit(catalog, "html", tmp_path / "audit.html")
    found = _bypasses(doc)
    assert set(found) == set(BYPASSES), doc["violations"]
    auto, everyone = found["auto-create-topics"], found["allow-everyone-if-no-acl"]
    assert (auto["name"], auto["severity"]) == ("auto.create.topics.enable", "error")
    assert "true on broker 1" in auto["message"] and "outside the catalog" in auto["message"]
    assert "auto.create.topics.enable=false" in auto["hint"]
    # Kafka hides this one's value: a broker that sets it at all is reported
    assert (everyone["name"], everyone["severity"]) == ("allow.everyone.if.no.acl.found", "warning")
    assert "set on broker 1" in everyone["message"] and "does not show its value" in everyone["message"]
    assert "allow.everyone.if.no.acl.found=false" in everyone["hint"]
    for finding in found.values():
        for text in (finding["message"], finding["hint"]):
            assert md_text(text) in markdown
            assert html.escape(text, quote=True) in page
    assert "what to do" in markdown and "<th>what to do</th>" in page


def test_the_ordinary_sandbox_has_neither(catalog: Path, tmp_path: Path) -> None:
    doc = json.loads(_audit(catalog, "json", tmp_path / "audit.json"))  # the session's sandbox
    assert _bypasses(doc) == {}, doc["violations"]
    broker = {v["rule"] for v in doc["violations"] if v["kind"] == "broker"}
    # what every sandbox has: its PLAINTEXT listener for the brokers and local tools
    assert "unauthenticated-listener" in broker
