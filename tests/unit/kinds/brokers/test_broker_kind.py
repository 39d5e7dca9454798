"""The broker-settings kind on the in-memory twin, through the engine: plan (Kafka's form, only the
dynamic overrides compared, resets, what is left alone, a broker not in the cluster), apply (one
batched write), sensitive settings (references only, never a value in the plan; drift unreadable
unless always_set), and a fixed number of requests whatever the number of settings (issue 21, 1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.broker_port import DEFAULT
from kgov.cluster.kafka.port import ConfigOp
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.plan.model import Plan

REPO = Path(__file__).resolve().parents[4]


def _catalog(tmp_path: Path, cluster: str | None) -> Path:
    root = tmp_path / "catalog"
    if not root.exists():
        shutil.copytree(REPO / "catalog", root)
    target = root / "cluster" / "local.yaml"
    if cluster is None:
        target.unlink(missing_ok=True)
    else:
        target.parent.mkdir(exist_ok=True)
        target.write_text(cluster)
    return root


def _plan(root: Path, kafka: MemoryCluster) -> Plan:
    loaded = load_catalog(root)
    assert loaded.diagnostics == ()
    return make_plan(loaded.catalog, "local", Backends(kafka=kafka), allow_delete=False)


def _brokers(plan: Plan) -> dict[str, Any]:
    return {e.address: e for e in plan.entries if e.kind == "broker"}


def _rows(entry: Any) -> dict[str, tuple[Any, Any, str | None]]:
    return {c.field: (c.before, c.after, c.detail) for c in entry.changes}


def _apply(plan: Plan, kafka: MemoryCluster) -> None:
    results = apply_plan(plan, Backends(kafka=kafka))
    assert [r.error for r in results if r.entry.kind == "broker"] == [None] * len(_brokers(plan))


SETTINGS = """settings:
  log.cleaner.threads: 2
  message.max.bytes: 2MiB
  log.retention.ms: 7d
brokers:
  2: {settings: {log.cleaner.threads: 3}}
"""


def test_plan_shows_kafkas_form_apply_sets_it_and_a_second_plan_is_converged(tmp_path: Path) -> None:
    kafka = MemoryCluster(brokers=3)
    root = _catalog(tmp_path, SETTINGS)
    plan = _plan(root, kafka)
    entries = _brokers(plan)
    assert sorted(entries) == ["broker.2", "broker.default"]
    assert _rows(entries["broker.default"]) == {
        "config.log.cleaner.threads": (None, "2", "set"),
        "config.log.retention.ms": (None, "604800000", "set"),
        "config.message.max.bytes": (None, "2097152", "set"),
    }
    assert _rows(entries["broker.2"]) == {"config.log.cleaner.threads": (None, "3", "set")}
    _apply(plan, kafka)
    assert kafka.default_configs == {
        "min.insync.replicas": "1",
        "log.cleaner.threads": "2",
        "message.max.bytes": "2097152",
        "log.retention.ms": "604800000",
    }
    assert kafka.broker_overrides == {2: {"log.cleaner.threads": "3"}}
    assert _brokers(_plan(root, kafka)) == {}


def test_a_key_removed_from_the_file_is_reset_and_kafkas_own_keys_are_left_alone(tmp_path: Path) -> None:
    kafka = MemoryCluster(brokers=3)
    kafka.default_configs.update({"log.cleaner.threads": "2", "leader.replication.throttled.rate": "100"})
    kafka.broker_overrides[3] = {"log.cleaner.threads": "4", "follower.replication.throttled.rate": "100"}
    root = _catalog(tmp_path, "settings: {}\n")
    entries = _brokers(_plan(root, kafka))
    # min.insync.replicas (Kafka 4 keeps it) and kgov's throttles are not compared
    assert _rows(entries["broker.default"]) == {"config.log.cleaner.threads": ("2", None, "reset")}
    assert entries["broker.default"].changes[0].default == "1"
    assert _rows(entries["broker.3"]) == {"config.log.cleaner.threads": ("4", None, "reset")}
    _apply(_plan(root, kafka), kafka)
    assert kafka.default_configs == {"min.insync.replicas": "1", "leader.replication.throttled.rate": "100"}
    assert kafka.broker_overrides[3] == {"follower.replication.throttled.rate": "100"}


def test_the_cluster_min_insync_replicas_is_compared_when_the_file_sets_it(tmp_path: Path) -> None:
    kafka = MemoryCluster(brokers=3)
    entries = _brokers(_plan(_catalog(tmp_path, "settings: {min.insync.replicas: 2}\n"), kafka))
    assert _rows(entries["broker.default"]) == {"config.min.insync.replicas": ("1", "2", "set")}


def test_without_a_cluster_file_nothing_is_read_or_planned(tmp_path: Path) -> None:
    kafka = MemoryCluster(brokers=3)
    kafka.default_configs["log.cleaner.threads"] = "2"
    kafka.broker_read_errors[DEFAULT] = "a read would fail the plan"
    plan = _plan(_catalog(tmp_path, None), kafka)
    assert _brokers(plan) == {}
    assert plan.summary["broker"].managed == 0


def test_a_broker_the_cluster_does_not_have_is_blocked(tmp_path: Path) -> None:
    kafka = MemoryCluster(brokers=3)
    plan = _plan(
        _catalog(tmp_path, "settings: {}\nbrokers:\n  7: {settings: {log.cleaner.threads: 2}}\n"), kafka
    )
    (entry,) = _brokers(plan).values()
    assert entry.address == "broker.7" and entry.action == "blocked"
    assert "broker 7 is not in the cluster" in (entry.reason or "") and "1, 2, 3" in (entry.reason or "")
    assert "cluster/local.yaml" in (entry.hint or "")


SECRET = """settings: {}
brokers:
  1:
    settings:
      listener.name.sasl_ssl.ssl.key.password: ${env:I21_KEY_PASSWORD}
"""


def test_a_sensitive_setting_is_sent_resolved_and_never_planned_or_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("I21_KEY_PASSWORD", "s3cr3t-value")
    kafka = MemoryCluster(brokers=3)
    root = _catalog(tmp_path, SECRET)
    plan = _plan(root, kafka)
    text = json.dumps(plan.to_json())
    assert "s3cr3t-value" not in text
    (entry,) = _brokers(plan).values()
    key = "config.listener.name.sasl_ssl.ssl.key.password"
    assert _rows(entry) == {key: (None, "(sensitive)", "set")}
    _apply(plan, kafka)
    assert kafka.broker_overrides[1] == {"listener.name.sasl_ssl.ssl.key.password": "s3cr3t-value"}
    # Kafka returns no value: its drift cannot be read, so nothing is planned, and a warning says so
    again = _plan(root, kafka)
    assert _brokers(again) == {}
    assert any("cannot be read" in w and "always_set" in w for w in again.warnings)
    # always_set: set on every apply
    _catalog(tmp_path, SECRET + "always_set: [listener.name.sasl_ssl.ssl.key.password]\n")
    forced = _plan(root, kafka)
    (entry,) = _brokers(forced).values()
    assert _rows(entry) == {key: ("(sensitive)", "(sensitive)", "set")}
    assert "s3cr3t-value" not in json.dumps(forced.to_json())


def test_a_sensitive_setting_whose_secret_is_not_set_fails_its_entry_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("I21_KEY_PASSWORD", raising=False)
    kafka = MemoryCluster(brokers=3)
    plan = _plan(_catalog(tmp_path, SECRET), kafka)
    results = apply_plan(plan, Backends(kafka=kafka))
    (failed,) = [r for r in results if r.entry.kind == "broker"]
    assert failed.error is not None and "I21_KEY_PASSWORD" in failed.error and "not applied" in failed.error
    assert kafka.broker_overrides == {}


def test_an_unnamed_sensitive_override_is_left_alone_with_a_warning(tmp_path: Path) -> None:
    kafka = MemoryCluster(brokers=3)
    kafka.broker_overrides[2] = {"listener.name.ssl.ssl.keystore.password": "x"}
    plan = _plan(_catalog(tmp_path, "settings: {}\n"), kafka)
    assert _brokers(plan) == {}
    assert any("broker 2" in w and "left alone" in w for w in plan.warnings)


def test_kafka_refusing_a_write_fails_that_resource_only() -> None:
    kafka = MemoryCluster(brokers=3)
    out = kafka.alter_broker_configs(
        {
            DEFAULT: [ConfigOp("listeners", "PLAINTEXT://:1")],
            "1": [ConfigOp("log.dirs", "/x")],
            "2": [ConfigOp("log.cleaner.threads", "2")],
        }
    )
    assert "default cluster level" in (out[DEFAULT] or "")
    assert "dynamically" in (out["1"] or "")
    assert out["2"] is None and kafka.broker_overrides == {2: {"log.cleaner.threads": "2"}}
    refused = kafka.alter_broker_configs({DEFAULT: [ConfigOp("min.insync.replicas", None)]})
    assert "ELR" in (refused[DEFAULT] or "")


KEYS = (
    "log.cleaner.threads",
    "num.io.threads",
    "num.network.threads",
    "background.threads",
    "num.replica.fetchers",
)


@pytest.mark.parametrize("brokers", [1, 3, 5])
def test_a_plan_reads_the_brokers_in_a_fixed_number_of_requests(tmp_path: Path, brokers: int) -> None:
    """One DescribeCluster, one DescribeConfigs for the default and one per broker (Kafka answers a
    broker's configs only from that broker), whatever the number of settings and overrides."""
    without = MemoryCluster(brokers=brokers)
    _plan(_catalog(tmp_path / "bare", None), without)
    counts = []
    for keys in (KEYS[:1], KEYS):
        kafka = MemoryCluster(brokers=brokers)
        lines = "".join(f"  {k}: 5\n" for k in keys)
        per_broker = "".join(f"  {b}: {{settings: {{{keys[-1]}: 7}}}}\n" for b in range(1, brokers + 1))
        plan = _plan(_catalog(tmp_path, f"settings:\n{lines}brokers:\n{per_broker}"), kafka)
        assert len(_brokers(plan)) == 1 + brokers
        extra = list(kafka.requests)
        for request in without.requests:
            extra.remove(request)
        counts.append(sorted(extra))
    assert counts[0] == counts[1] == sorted(["describe_cluster"] + ["describe_configs"] * (1 + brokers))
