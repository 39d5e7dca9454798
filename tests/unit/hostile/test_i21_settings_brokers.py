"""Hostile input to the broker settings (catalog/cluster/<env>.yaml): odd keys and values are lint
errors with positions (exit 1, no traceback); a secret Kafka echoes back in an error is redacted in
apply's outcome; a plan never holds a resolved secret."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from tests.support import kgov

REPO = Path(__file__).resolve().parents[3]


def _catalog(tmp_path: Path, cluster: str) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    (root / "cluster").mkdir(exist_ok=True)
    (root / "cluster" / "local.yaml").write_text(cluster)
    return root


@pytest.mark.parametrize(
    ("cluster", "line", "rule"),
    [
        ("settings:\n  log.cleaner.threads: [1, 2]\n", 2, "structure"),  # the schema's
        ("settings:\n  log.cleaner.threads: {a: 1}\n", 2, "structure"),
        ("settings:\n  log.cleaner.threads: " + "9" * 31 + "\n", 2, "invalid-broker-config-value"),
        ("settings:\n  message.max.bytes: 1e400\n", 2, "invalid-broker-config-value"),
        ("settings:\n  " + "x." * 120 + "y: 1\n", 2, "unknown-broker-config"),
        ("settings:\n  " + "x." * 400 + "y: 1\n", None, "structure"),  # the schema's key length
        ("settings:\n  'listener.name..ssl.key.password': a\n", 2, "unknown-broker-config"),
        ("settings:\n  \"log.cleaner.threads\\u202e\": 2\n", None, "structure"),  # the schema's key pattern
        ("settings: {}\nbrokers:\n  1: {settings: {listener.name.x.ssl.key.password: s3cr3t}}\n", 3,
         "broker-secret-literal"),
    ],
)  # fmt: skip
def test_odd_settings_are_lint_errors_with_positions(
    tmp_path: Path, cluster: str, line: int, rule: str
) -> None:
    root = _catalog(tmp_path, cluster)
    result = kgov("lint", str(root), "--format", "json")
    assert result.code == 1, result.output
    assert "Traceback" not in result.output and "s3cr3t" not in result.output
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == rule]
    assert found and found[0]["file"].endswith("cluster/local.yaml")
    assert line is None or found[0]["line"] == line


def test_a_secret_kafka_echoes_in_an_error_is_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("I21_HOSTILE_SECRET", "echoed-s3cr3t-value")
    root = _catalog(
        tmp_path,
        "settings: {}\nbrokers:\n  1:\n    settings:\n"
        "      listener.name.ssl.ssl.key.password: ${env:I21_HOSTILE_SECRET}\n",
    )
    kafka = MemoryCluster(brokers=1)
    # Kafka quotes the value it refuses ("Invalid value <value> for configuration ...")
    kafka.broker_write_errors["1"] = "INVALID_CONFIG: Invalid value echoed-s3cr3t-value for configuration x"
    plan = make_plan(load_catalog(root).catalog, "local", Backends(kafka=kafka), allow_delete=False)
    assert "echoed-s3cr3t-value" not in json.dumps(plan.to_json())
    results = apply_plan(plan, Backends(kafka=kafka))
    (failed,) = [r for r in results if r.entry.kind == "broker"]
    assert failed.error is not None and "INVALID_CONFIG" in failed.error
    assert "echoed-s3cr3t-value" not in failed.error
