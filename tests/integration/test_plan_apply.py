"""plan/apply/import against the real sandbox broker: every action kind, drift, stale plans,
ownership, partial failure and convergence."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka.admin import (
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ConfigSource,
    NewTopic,
    ResourceType,
)

from kgov.kafka_configs import TOPIC_CONFIGS
from tests.support import topic_doc

from .kgovtest import admin, kgov, unique_service, write_catalog

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox (the fixture exports KGOV_* variables)."""


def _describe(name: str) -> tuple[int, dict[str, str]]:
    client = admin()
    meta = client.list_topics(topic=name, timeout=10).topics[name]
    resource = ConfigResource(ResourceType.TOPIC, name)
    entries = client.describe_configs([resource])[resource].result()
    dynamic = {
        e.name: e.value for e in entries.values() if e.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    }
    return len(meta.partitions), dynamic


def _create(name: str, partitions: int = 1, **config: str) -> None:
    futures = admin().create_topics([NewTopic(name, partitions, 1, config=config)])
    futures[name].result()


def _set_config(name: str, key: str, value: str) -> None:
    resource = ConfigResource(
        ResourceType.TOPIC,
        name,
        incremental_configs=[ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)],
    )
    admin().incremental_alter_configs([resource])[resource].result()


def _exists(name: str) -> bool:
    return name in admin().list_topics(timeout=10).topics


def _converges(catalog: Path) -> None:
    applied = kgov("apply", "--env", "local", "--catalog", str(catalog), "--auto-approve")
    assert applied.code == 0, applied.output
    again = kgov("plan", "--env", "local", "--catalog", str(catalog), "--detailed-exitcode")
    assert again.code == 0, again.output
    assert "No changes" in again.stdout


def test_example_catalog_plans_applies_and_converges(monkeypatch: pytest.MonkeyPatch) -> None:
    for service in ("orders", "inventory", "notifications", "shipping", "users"):  # its SCRAM users
        monkeypatch.setenv(f"{service.upper()}_PASSWORD", f"example-{service}-password")
    first = kgov("plan", "--env", "local", "--catalog", str(REPO / "catalog"), "--detailed-exitcode")
    assert first.code in (0, 2), first.output
    _converges(REPO / "catalog")
    partitions, config = _describe("orders.state")
    assert partitions == 6
    assert config == {
        "cleanup.policy": "compact",
        "min.insync.replicas": "1",
        "min.compaction.lag.ms": "3600000",
    }


def test_every_action_kind(tmp_path: Path) -> None:
    svc = unique_service()
    catalog = write_catalog(
        tmp_path,
        {
            svc: [
                topic_doc(f"{svc}.a", 1, retention_ms="1d"),
                topic_doc(f"{svc}.b", 2, segment_ms="1h"),
                topic_doc(f"{svc}.c"),
            ]
        },
    )
    plan = kgov(
        "plan", "--env", "local", "--catalog", str(catalog), "--detailed-exitcode", "--format", "json"
    )
    assert plan.code == 2, plan.output
    assert json.loads(plan.stdout)["totals"] == {"create": 3, "update": 0, "delete": 0, "blocked": 0}
    _converges(catalog)
    assert _describe(f"{svc}.a") == (1, {"retention.ms": "86400000"})

    # increase partitions, set a config, reset a removed key, delete a topic dropped from the catalog
    write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a", 3, retention_ms="2d"), topic_doc(f"{svc}.b", 2)]})
    plan = kgov("plan", "--env", "local", "--catalog", str(catalog), "--allow-delete", "--format", "json")
    entries = json.loads(plan.stdout)["resource_changes"]
    assert [(e["address"], e["action"]) for e in entries] == [
        (f"topic.{svc}.a", "update"),
        (f"topic.{svc}.b", "update"),
        (f"topic.{svc}.c", "delete"),
    ]
    assert [(c["field"], c["detail"]) for c in entries[0]["changes"]] == [
        ("partitions", "increase_partitions"),
        ("config.retention.ms", "set"),
    ]
    assert [(c["field"], c["detail"]) for c in entries[1]["changes"]] == [("config.segment.ms", "reset")]
    applied = kgov("apply", "--env", "local", "--catalog", str(catalog), "--auto-approve", "--allow-delete")
    assert applied.code == 0, applied.output
    assert _describe(f"{svc}.a") == (3, {"retention.ms": "172800000"})
    assert _describe(f"{svc}.b") == (2, {})  # segment.ms reset to Kafka's default
    deadline = time.time() + 15
    while _exists(f"{svc}.c") and time.time() < deadline:
        time.sleep(0.2)
    assert not _exists(f"{svc}.c")
    again = kgov("plan", "--env", "local", "--catalog", str(catalog), "--detailed-exitcode", "--allow-delete")
    assert again.code == 0, again.output


def test_partition_decrease_and_replication_change_are_blocked(tmp_path: Path) -> None:
    svc = unique_service()
    catalog = write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a", 4)]})
    _converges(catalog)
    write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a", 2)]})
    plan = kgov("plan", "--env", "local", "--catalog", str(catalog), "--detailed-exitcode")
    assert plan.code == 1
    assert "cannot decrease" in plan.stdout and "blocked" in plan.stdout
    applied = kgov("apply", "--env", "local", "--catalog", str(catalog), "--auto-approve")
    assert applied.code == 1 and "nothing was applied" in applied.stderr
    assert _describe(f"{svc}.a")[0] == 4

    rf3 = topic_doc(f"{svc}.a", 4)
    rf3["replication_factor"] = 3
    write_catalog(tmp_path, {svc: [rf3]})
    plan = kgov("plan", "--env", "local", "--catalog", str(catalog))
    assert plan.code == 1 and "replication_factor" in plan.stdout and "reassign" in plan.stdout


def test_out_of_band_drift_is_planned_and_reverted(tmp_path: Path) -> None:
    svc = unique_service()
    catalog = write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a", 1, retention_ms="7d")]})
    _converges(catalog)
    _set_config(f"{svc}.a", "retention.ms", "1000")
    _set_config(f"{svc}.a", "max.message.bytes", "2000000")
    plan = kgov(
        "plan", "--env", "local", "--catalog", str(catalog), "--detailed-exitcode", "--format", "json"
    )
    assert plan.code == 2
    [entry] = json.loads(plan.stdout)["resource_changes"]
    assert entry["changes"] == [
        {
            "field": "config.max.message.bytes",
            "before": "2000000",
            "after": None,
            "detail": "reset",
            "default": "1048588",
            "blocked": False,
        },
        {
            "field": "config.retention.ms",
            "before": "1000",
            "after": "604800000",
            "detail": "set",
            "default": None,
            "blocked": False,
        },
    ]
    _converges(catalog)
    assert _describe(f"{svc}.a")[1] == {"retention.ms": "604800000"}


def test_stale_plan_is_refused_and_a_fresh_one_applies(tmp_path: Path) -> None:
    svc = unique_service()
    catalog = write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a", 1, retention_ms="7d")]})
    _converges(catalog)
    write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a", 1, retention_ms="8d")]})
    plan_file = tmp_path.parent / f"{tmp_path.name}-plan.json"  # outside the catalog folder
    plan = kgov("plan", "--env", "local", "--catalog", str(catalog), "--out", str(plan_file))
    assert plan.code == 0 and plan_file.exists()
    assert os.environ["KGOV_PASSWORD"] not in plan_file.read_text()
    _set_config(f"{svc}.a", "retention.ms", "1234")  # someone changes the cluster meanwhile
    applied = kgov("apply", str(plan_file), "--env", "local", "--catalog", str(catalog))
    assert applied.code == 1 and "stale plan" in applied.stderr
    assert _describe(f"{svc}.a")[1] == {"retention.ms": "1234"}  # nothing applied
    kgov("plan", "--env", "local", "--catalog", str(catalog), "--out", str(plan_file))
    applied = kgov("apply", str(plan_file), "--env", "local", "--catalog", str(catalog))
    assert applied.code == 0, applied.output
    assert _describe(f"{svc}.a")[1] == {"retention.ms": str(8 * 86400000)}


def test_protected_and_unowned_topics_are_untouched_even_with_allow_delete(tmp_path: Path) -> None:
    svc = unique_service()
    protected, unowned, sibling = f"_{svc}.internal", f"{svc}x.other", f"other{svc}.thing"
    for name in (protected, unowned, sibling):
        _create(name, 1, **{"retention.ms": "1000"})
    catalog = write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a")]})
    applied = kgov("apply", "--env", "local", "--catalog", str(catalog), "--auto-approve", "--allow-delete")
    assert applied.code == 0, applied.output
    for name in (protected, unowned, sibling):
        assert _describe(name) == (1, {"retention.ms": "1000"}), name


def test_partial_failure_is_reported_per_action_and_a_rerun_converges(tmp_path: Path) -> None:
    svc = unique_service()
    bad = topic_doc(f"{svc}.bad")
    bad["replication_factor"] = 3  # one broker: Kafka refuses
    catalog = write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.good"), bad]})
    applied = kgov("apply", "--env", "local", "--catalog", str(catalog), "--auto-approve")
    assert applied.code == 1
    assert f"✓ create topic {svc}.good" in applied.stdout
    assert f"✗ create topic {svc}.bad: INVALID_REPLICATION_FACTOR" in applied.stdout
    assert _exists(f"{svc}.good") and not _exists(f"{svc}.bad")
    write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.good"), topic_doc(f"{svc}.bad")]})
    _converges(catalog)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_catalogs_converge(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    svc = unique_service()
    values = {
        "retention.ms": ["1h", "7d", 86400000, -1],
        "cleanup.policy": ["delete", "compact", "compact,delete"],
        "max.message.bytes": ["1MiB", 2000000],
        "segment.bytes": ["16MiB", "1GiB"],
        "min.insync.replicas": [1],
        "compression.type": ["zstd", "lz4", "producer"],
        "message.timestamp.type": ["CreateTime", "LogAppendTime"],
        "min.cleanable.dirty.ratio": [0.1, 0.5, "0.75"],
        "unclean.leader.election.enable": [True, False],
    }

    def random_topics() -> list[dict[str, Any]]:
        out = []
        for i in range(rng.randint(3, 12)):
            keys = rng.sample(sorted(values), rng.randint(0, 4))
            topic = topic_doc(f"{svc}.e{i}", rng.randint(1, 4))
            if keys:
                topic["config"] = {k: rng.choice(values[k]) for k in keys}
            out.append(topic)
        return out

    catalog = write_catalog(tmp_path, {svc: random_topics()})
    _converges(catalog)
    # mutate: more partitions, other configs, fewer topics
    topics = random_topics()
    for topic in topics:
        topic["partitions"] = 4
    write_catalog(tmp_path, {svc: topics})
    applied = kgov("apply", "--env", "local", "--catalog", str(catalog), "--auto-approve", "--allow-delete")
    assert applied.code == 0, applied.output
    again = kgov("plan", "--env", "local", "--catalog", str(catalog), "--detailed-exitcode", "--allow-delete")
    assert again.code == 0, again.output


def test_import_adopts_unowned_topics_so_the_next_plan_has_no_changes(tmp_path: Path) -> None:
    svc = unique_service()
    _create(f"{svc}.signup", 3, **{"retention.ms": "3600000", "cleanup.policy": "compact"})
    _create(f"{svc}.login", 2)
    catalog = write_catalog(tmp_path / "catalog", {})
    result = kgov("import", "--env", "local", "--catalog", str(catalog), "--out", str(tmp_path / "catalog"))
    assert result.code == 0, result.output
    imported = tmp_path / "catalog" / "topics" / f"{svc}.yaml"
    assert imported.exists(), result.output
    # keep only this test's topics: the shared sandbox holds other tests' topics and principals too
    # (their acls files: tests/integration/test_access_import.py)
    written = tmp_path / "catalog"
    for other in [*(written / "topics").glob("*.yaml"), *(written / "acls").glob("*.yaml")]:
        if other != imported:
            other.unlink()
    plan = kgov(
        "plan", "--env", "local", "--catalog", str(catalog), "--format", "json", "--detailed-exitcode"
    )
    assert plan.code == 0, plan.output
    assert json.loads(plan.stdout)["resource_changes"] == []


def test_unreachable_cluster_is_a_clear_error_within_the_timeout(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    kgov_yaml = catalog / "kgov.yaml"
    text = kgov_yaml.read_text().replace("${env:KGOV_BOOTSTRAP_SASL}", "127.0.0.1:1").replace("20000", "2000")
    kgov_yaml.write_text(text)
    started = time.monotonic()
    result = kgov("plan", "--env", "local", "--catalog", str(catalog))
    assert result.code == 1
    assert "cannot reach Kafka at 127.0.0.1:1" in result.stderr
    assert time.monotonic() - started < 15
    assert "Traceback" not in result.output


def test_wrong_password_is_a_clear_error_and_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    (catalog / "kgov.yaml").write_text((catalog / "kgov.yaml").read_text().replace("20000", "3000"))
    monkeypatch.setenv("KGOV_PASSWORD", "not-the-password-s3cr3t")
    result = kgov("plan", "--env", "local", "--catalog", str(catalog))
    assert result.code == 1
    assert "Authentication" in result.stderr or "authentication" in result.stderr
    assert "not-the-password-s3cr3t" not in result.output


def test_missing_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]})
    monkeypatch.delenv("KGOV_PASSWORD")
    result = kgov("plan", "--env", "local", "--catalog", str(catalog))
    assert result.code == 1 and "KGOV_PASSWORD" in result.stderr and "not set" in result.stderr


def test_kgov_knows_exactly_the_brokers_topic_configs() -> None:
    name = f"{unique_service()}.probe"
    _create(name)
    resource = ConfigResource(ResourceType.TOPIC, name)
    entries = admin().describe_configs([resource])[resource].result()
    assert set(entries) == set(TOPIC_CONFIGS)
    for key, entry in entries.items():
        assert entry.value == TOPIC_CONFIGS[key].default, key


def _with_kafka(catalog: Path, **kafka: Any) -> Path:
    """Point the catalog's `local` environment at another listener: `kafka` replaces the block."""
    doc = yaml.safe_load((catalog / "kgov.yaml").read_text())
    doc["environments"]["local"]["kafka"] = {"timeout_ms": 5000, **kafka}
    (catalog / "kgov.yaml").write_text(yaml.safe_dump(doc))
    return catalog


SASL_SSL = {
    "bootstrap_servers": "${env:KGOV_BOOTSTRAP_SSL}",
    "security_protocol": "SASL_SSL",
    "sasl_mechanism": "SCRAM-SHA-512",
    "username": "${env:KGOV_USERNAME}",
    "password": "${env:KGOV_PASSWORD}",
}
MTLS = {"bootstrap_servers": "${env:KGOV_BOOTSTRAP_MTLS}", "security_protocol": "SSL"}
CLIENT_CERT = {
    "ssl_certificate_location": "${env:KGOV_CLIENT_CERT_FILE}",
    "ssl_key_location": "${env:KGOV_CLIENT_KEY_FILE}",
}


def test_sasl_ssl_with_the_sandbox_ca_verifies_and_works(tmp_path: Path) -> None:
    catalog = _with_kafka(write_catalog(tmp_path, {}), **SASL_SSL, ssl_ca_location="${env:KGOV_CA_FILE}")
    result = kgov("plan", "--env", "local", "--catalog", str(catalog), "--detailed-exitcode")
    assert result.code == 0, result.output


def test_tls_verification_is_on_by_default(tmp_path: Path) -> None:
    catalog = _with_kafka(write_catalog(tmp_path, {}), **SASL_SSL)  # the sandbox's CA is not trusted
    result = kgov("plan", "--env", "local", "--catalog", str(catalog))
    assert result.code == 1
    assert "cannot reach Kafka" in result.stderr and "certificate" in result.stderr.lower()


def test_mtls_with_a_client_certificate_plans_and_applies(tmp_path: Path) -> None:
    svc = unique_service()
    catalog = write_catalog(tmp_path, {svc: [topic_doc(f"{svc}.a", 2, retention_ms="1d")]})
    _with_kafka(catalog, **MTLS, **CLIENT_CERT, ssl_ca_location="${env:KGOV_CA_FILE}")
    _converges(catalog)
    assert _describe(f"{svc}.a") == (2, {"retention.ms": "86400000"})


def test_mtls_without_a_client_certificate_is_refused(tmp_path: Path) -> None:
    catalog = _with_kafka(write_catalog(tmp_path, {}), **MTLS, ssl_ca_location="${env:KGOV_CA_FILE}")
    result = kgov("plan", "--env", "local", "--catalog", str(catalog))
    assert result.code == 1
    assert "cannot reach Kafka" in result.stderr
