"""Several environments in one run on the sandbox (issue 23 part 1): two environments of one kgov.yaml
pointing at two listeners of the same sandbox (SASL_PLAINTEXT and SASL_SSL), planned in one report,
saved in one file, applied one environment at a time (a part made stale by the other's apply is
refused alone) and with --all-environments; a third environment that cannot be reached fails its
own section only. Checked with a client kgov did not write (confluent-kafka's AdminClient)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import ConfigResource, ResourceType

from tests.support import SETTINGS, topic_doc

from .kgovtest import admin, kgov, unique_service, write_catalog

SASL = SETTINGS["environments"]["local"]["kafka"]
SASL_SSL = {
    **SASL,
    "bootstrap_servers": "${env:KGOV_BOOTSTRAP_SSL}",
    "security_protocol": "SASL_SSL",
    "ssl_ca_location": "${env:KGOV_CA_FILE}",
}
UNREACHABLE = {**SASL, "bootstrap_servers": "127.0.0.1:1", "timeout_ms": 3000}


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox."""


def _catalog(root: Path, svc: str, tls_retention: str = "1d", down: bool = False) -> Path:
    environments: dict[str, Any] = {
        "sasl": {"kafka": SASL},
        # the same cluster through its TLS listener, wanting another retention: one catalog, two views
        "tls": {"kafka": SASL_SSL, "overrides": {"config": {"retention.ms": tls_retention}}},
    }
    if down:
        environments["down"] = {"kafka": UNREACHABLE}
    return write_catalog(root, {svc: [topic_doc(f"{svc}.a", 2)]}, environments=environments)


def _retention(topic: str) -> str:
    resource = ConfigResource(ResourceType.TOPIC, topic)
    configs = admin().describe_configs([resource])[resource].result(timeout=20)
    return str(configs["retention.ms"].value)


def test_two_environments_planned_saved_and_applied_part_by_part(tmp_path: Path) -> None:
    svc = unique_service()
    cat = _catalog(tmp_path / "c", svc)
    plans = tmp_path / "plans.json"
    args = ("--catalog", str(cat))
    planned = kgov("plan", "--env", "sasl", "--env", "tls", *args, "--out", str(plans), "--detailed-exitcode")
    assert planned.code == 2, planned.output
    assert "━━ environment 'sasl' ━━" in planned.stdout and "━━ environment 'tls' ━━" in planned.stdout
    doc = json.loads(plans.read_text())
    assert doc["format"] == "kgov-multi-plan" and doc["environments"] == ["sasl", "tls"]
    assert [p["plan"]["totals"]["create"] for p in doc["plans"]] == [1, 1]

    # sasl's part alone; tls's part planned the same topic, which now exists: stale, refused alone
    applied = kgov("apply", str(plans), "--env", "sasl", *args)
    assert applied.code == 0, applied.output
    assert _retention(f"{svc}.a") == "604800000"  # the catalog's default, 7d
    stale = kgov("apply", str(plans), "--env", "tls", *args)
    assert stale.code == 1 and "stale plan" in stale.output, stale.output
    assert _retention(f"{svc}.a") == "604800000"  # nothing of tls's part was applied

    # a fresh plan: sasl has nothing to do, tls changes the retention; both applied in order
    planned = kgov("plan", "--all-environments", *args, "--out", str(plans), "--format", "json")
    assert planned.code == 0, planned.output
    summary = json.loads(planned.stdout)["summary"]
    assert summary["with_changes"] == ["tls"] and summary["failed"] == []
    applied = kgov("apply", str(plans), "--all-environments", *args)
    assert applied.code == 0, applied.output
    assert "Applied all 2 environments: sasl, tls." in applied.output
    assert _retention(f"{svc}.a") == "86400000"


def test_an_unreachable_environment_fails_its_section_only(tmp_path: Path) -> None:
    svc = unique_service()
    cat = _catalog(tmp_path / "c", svc, down=True)
    result = kgov("plan", "--all-environments", "--catalog", str(cat), "--format", "markdown")
    assert result.code == 1, result.output
    assert "| <code>down</code> | ⛔ failed |" in result.stdout
    assert result.stdout.count("create topic") == 2  # sasl's and tls's plans are there
    assert os.environ["KGOV_PASSWORD"] not in result.output
