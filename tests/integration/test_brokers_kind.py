"""Broker settings end to end on the three-broker sandbox (fixture `sandbox3`; issue 21, part 1): a
cluster default and a per-broker override in catalog/cluster/<env>.yaml are planned, applied and
shown by Kafka's own ConfigCommand (`kafka-configs.sh`, run from the sandbox's jars: a tool kgov did
not write); drift made with that tool is planned back; removing the settings from the file resets
them; a converged plan exits 0. The port's reads and writes are counted against the real cluster.
Every setting is reset at the end, so other tests on the shared sandbox are unaffected."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.broker_port import DEFAULT
from kgov.cluster.kafka.client_settings import KafkaSettings
from kgov.cluster.kafka.port import ConfigOp
from kgov.sandbox import fetch, java
from tests.support import kgov

from .conftest import ThreeBrokers

ENV = "sb3"
CONFIG_COMMAND = "kafka.admin.ConfigCommand"
KEYS = ("log.cleaner.backoff.ms", "log.cleaner.delete.retention.ms")  # harmless: the log cleaner's pace


def _catalog(root: Path, bootstrap: str, cluster: dict[str, Any]) -> Path:
    (root / "cluster").mkdir(parents=True, exist_ok=True)
    settings = {"version": 1, "environments": {ENV: {"kafka": {"bootstrap_servers": bootstrap}}}}
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings))
    (root / "cluster" / f"{ENV}.yaml").write_text(yaml.safe_dump(cluster, sort_keys=False))
    return root


class ConfigCommand:
    """Kafka's own kafka-configs.sh (kafka.admin.ConfigCommand) with the sandbox's classpath."""

    def __init__(self, sandbox3: ThreeBrokers) -> None:
        settings = sandbox3.box.settings()
        self.lib = fetch.kafka_classpath(sandbox3.box.cache, settings.kafka_version, lambda _: None)
        self.bootstrap = sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"]  # the super user's listener

    def __call__(self, entity: str, *args: str) -> str:
        which = ["--entity-default"] if entity == DEFAULT else ["--entity-name", entity]
        command = [str(java.kafka_java().path), "-cp", f"{self.lib}/*", CONFIG_COMMAND, "--bootstrap-server",
                   self.bootstrap, "--entity-type", "brokers", *which, *args]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def dynamic(self, entity: str) -> dict[str, str]:
        """The entity's dynamic configs as the tool prints them: `  key=value sensitive=... synonyms=...`."""
        out: dict[str, str] = {}
        for line in self(entity, "--describe").splitlines():
            if line.startswith("  ") and "=" in line:
                key, _, rest = line.strip().partition("=")
                out[key] = rest.split(" sensitive=", 1)[0]
        return out

    def reset(self) -> None:
        for entity in (DEFAULT, "1", "2", "3"):
            self(entity, "--alter", "--delete-config", ",".join(KEYS))


def _plan(root: Path, *extra: str) -> Any:
    result = kgov("plan", "--env", ENV, "--catalog", str(root), "--format", "json", *extra)
    assert result.code in (0, 2), result.output
    return json.loads(result.stdout)


def _entries(doc: Any) -> dict[str, dict[str, tuple[Any, Any, str]]]:
    return {
        e["address"]: {c["field"]: (c["before"], c["after"], c["detail"]) for c in e["changes"]}
        for e in doc["resource_changes"]
        if e["kind"] == "broker"
    }


def _apply(root: Path) -> None:
    applied = kgov("apply", "--env", ENV, "--catalog", str(root), "--auto-approve")
    assert applied.code == 0, applied.output


def test_broker_settings_are_planned_applied_seen_by_kafkas_tool_and_reset(
    sandbox3: ThreeBrokers, tmp_path: Path
) -> None:
    tool = ConfigCommand(sandbox3)
    tool.reset()
    wanted = {
        "settings": {"log.cleaner.backoff.ms": "16s", "log.cleaner.delete.retention.ms": "2d"},
        "brokers": {2: {"settings": {"log.cleaner.backoff.ms": "17s"}}},
    }
    root = _catalog(tmp_path / "catalog", sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"], wanted)
    try:
        text = kgov("plan", "--env", ENV, "--catalog", str(root))
        assert text.code == 0, text.output
        assert "~ broker default" in text.stdout and "~ broker 2" in text.stdout
        assert _entries(_plan(root)) == {
            "broker.default": {
                "config.log.cleaner.backoff.ms": (None, "16000", "set"),
                "config.log.cleaner.delete.retention.ms": (None, "172800000", "set"),
            },
            "broker.2": {"config.log.cleaner.backoff.ms": (None, "17000", "set")},
        }
        _apply(root)
        default = tool.dynamic(DEFAULT)
        assert default["log.cleaner.backoff.ms"] == "16000"
        assert default["log.cleaner.delete.retention.ms"] == "172800000"
        assert tool.dynamic("2")["log.cleaner.backoff.ms"] == "17000"
        assert "log.cleaner.backoff.ms" not in tool.dynamic("1")
        converged = kgov("plan", "--env", ENV, "--catalog", str(root), "--detailed-exitcode")
        assert converged.code == 0, converged.output

        # drift made with Kafka's tool is planned back
        tool("3", "--alter", "--add-config", "log.cleaner.backoff.ms=18000")
        tool(DEFAULT, "--alter", "--add-config", "log.cleaner.backoff.ms=19000")
        assert _entries(_plan(root)) == {
            "broker.default": {"config.log.cleaner.backoff.ms": ("19000", "16000", "set")},
            "broker.3": {"config.log.cleaner.backoff.ms": ("18000", None, "reset")},
        }
        _apply(root)
        assert "log.cleaner.backoff.ms" not in tool.dynamic("3")
        assert tool.dynamic(DEFAULT)["log.cleaner.backoff.ms"] == "16000"

        # removed from the file: reset, and Kafka's tool shows them gone
        _catalog(root, sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"], {"settings": {}})
        assert _entries(_plan(root)) == {
            "broker.default": {
                "config.log.cleaner.backoff.ms": ("16000", None, "reset"),
                "config.log.cleaner.delete.retention.ms": ("172800000", None, "reset"),
            },
            "broker.2": {"config.log.cleaner.backoff.ms": ("17000", None, "reset")},
        }
        _apply(root)
        assert not set(KEYS) & set(tool.dynamic(DEFAULT))
        assert not set(KEYS) & set(tool.dynamic("2"))
        converged = kgov("plan", "--env", ENV, "--catalog", str(root), "--detailed-exitcode")
        assert converged.code == 0, converged.output
    finally:
        tool.reset()


def test_the_port_reads_every_broker_at_once_and_writes_the_default_through_kafka_python(
    sandbox3: ThreeBrokers,
) -> None:
    """One DescribeCluster, one DescribeConfigs for the default and one per broker; the cluster
    default (which confluent-kafka cannot address) is written and read back."""
    bootstrap = sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"]
    port = KafkaCluster(KafkaSettings(bootstrap, 20.0, {"bootstrap.servers": bootstrap}))
    tool = ConfigCommand(sandbox3)
    try:
        read = port.broker_configs()
        assert read.errors == {} and sorted(read.brokers) == [1, 2, 3]
        assert dict(port.requests) == {"describe_cluster": 1, "describe_configs": 4}
        assert read.default["min.insync.replicas"].source == "DYNAMIC_DEFAULT_BROKER_CONFIG"
        out = port.alter_broker_configs(
            {DEFAULT: [ConfigOp("log.cleaner.backoff.ms", "15500")], "1": [ConfigOp("log.dirs", "/x")]}
        )
        assert out[DEFAULT] is None and "dynamically" in (out["1"] or "")
        assert tool.dynamic(DEFAULT)["log.cleaner.backoff.ms"] == "15500"
        assert port.broker_configs().default["log.cleaner.backoff.ms"].value == "15500"
    finally:
        tool.reset()
