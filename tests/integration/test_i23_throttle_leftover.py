"""A replication throttle left behind, removed by the next `kgov apply` (issue 23; the race the fault
test test_replicas_faults.py hit in CI), reproduced deterministically on the three-broker sandbox:
Kafka's own ConfigCommand (kafka-configs.sh, from the sandbox's jars) sets the throttle an
interrupted apply leaves (leader/follower.replication.throttled.replicas on a catalog topic, the
rates on every broker) with no reassignment running. `kgov plan` shows its removal, `kgov apply`
removes it, and ConfigCommand and confluent-kafka's describe_configs (not kgov's reader) see it gone;
the same throttle on a topic the catalog does not declare is left alone, and the next plan is empty.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient, NewTopic, ResourceType

from kgov.cluster.kafka.replica_port import BROKER_THROTTLES, TOPIC_THROTTLES
from kgov.sandbox import fetch, java
from tests.support import kgov, unique_service

from .conftest import ThreeBrokers
from .test_replicas_faults import _serving
from .test_replicas_kind import ENV, PARTITIONS, _catalog, _dynamic

CONFIG_COMMAND = "kafka.admin.ConfigCommand"
BROKERS = ("1", "2", "3")
RATE = "1048576"


class ConfigCommand:
    """Kafka's kafka-configs.sh (kafka.admin.ConfigCommand) with the sandbox's classpath."""

    def __init__(self, sandbox3: ThreeBrokers) -> None:
        settings = sandbox3.box.settings()
        self.lib = fetch.kafka_classpath(sandbox3.box.cache, settings.kafka_version, lambda _: None)
        self.bootstrap = sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"]

    def __call__(self, entity_type: str, name: str, *args: str) -> str:
        command = [str(java.kafka_java().path), "-cp", f"{self.lib}/*", CONFIG_COMMAND, "--bootstrap-server",
                   self.bootstrap, "--entity-type", entity_type, "--entity-name", name, *args]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def dynamic(self, entity_type: str, name: str) -> dict[str, str]:
        """The dynamic configs as the tool prints them: `  key=value sensitive=... synonyms=...`."""
        out: dict[str, str] = {}
        for line in self(entity_type, name, "--describe").splitlines():
            if line.startswith("  ") and "=" in line:
                key, _, rest = line.strip().partition("=")
                out[key] = rest.split(" sensitive=", 1)[0]
        return out


def _throttle(tool: ConfigCommand, topic: str) -> None:
    """What apply leaves when removing the throttle fails and the reassignment then ends."""
    leader = ",".join(f"{p}:1" for p in range(PARTITIONS))
    follower = ",".join(f"{p}:2" for p in range(PARTITIONS))
    tool("topics", topic, "--alter", "--add-config",
         f"{TOPIC_THROTTLES[0]}=[{leader}],{TOPIC_THROTTLES[1]}=[{follower}]")  # fmt: skip


def _plan(root: Path) -> Any:
    result = kgov("plan", "--env", ENV, "--catalog", str(root), "--format", "json")
    assert result.code == 0, result.output
    return json.loads(result.stdout)


def test_a_throttle_left_behind_is_planned_away_applied_and_gone_for_kafkas_tool(
    sandbox3: ThreeBrokers, tmp_path: Path
) -> None:
    bootstrap = sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"]
    _serving(bootstrap)  # a fault test before may have restarted a broker
    admin = AdminClient({"bootstrap.servers": bootstrap})
    service = unique_service()
    topic, outside = f"{service}.orders", f"{service}.not-in-catalog"
    root = _catalog(tmp_path / "catalog", bootstrap, [topic], 3)
    created = kgov("apply", "--env", ENV, "--catalog", str(root), "--auto-approve")
    assert created.code == 0, created.output
    for future in admin.create_topics([NewTopic(outside, PARTITIONS, 3)]).values():
        future.result(timeout=60)
    tool = ConfigCommand(sandbox3)
    try:
        _throttle(tool, topic)
        _throttle(tool, outside)
        for broker in BROKERS:
            tool("brokers", broker, "--alter", "--add-config",
                 ",".join(f"{k}={RATE}" for k in BROKER_THROTTLES))  # fmt: skip
        assert set(TOPIC_THROTTLES) <= set(tool.dynamic("topics", topic))

        doc = _plan(root)
        entries = {e["address"]: e for e in doc["resource_changes"]}
        assert sorted(entries) == [f"replicas.broker:{b}" for b in BROKERS] + [f"replicas.{topic}"]
        mine = entries[f"replicas.{topic}"]
        assert mine["action"] == "update"
        assert {c["field"]: (c["after"], c["detail"]) for c in mine["changes"]} == {
            f"config.{k}": (None, "unthrottle") for k in TOPIC_THROTTLES
        }
        text = kgov("plan", "--env", ENV, "--catalog", str(root))
        assert f"replicas {topic}" in text.stdout and "replicas broker 1" in text.stdout, text.output

        applied = kgov("apply", "--env", ENV, "--catalog", str(root), "--auto-approve")
        assert applied.code == 0, applied.output
        # Kafka's tool and confluent-kafka's describe_configs: gone from the catalog topic and brokers
        assert not set(tool.dynamic("topics", topic)) & set(TOPIC_THROTTLES)
        assert not _dynamic(admin, ResourceType.TOPIC, topic) & set(TOPIC_THROTTLES)
        for broker in BROKERS:
            assert not set(tool.dynamic("brokers", broker)) & set(BROKER_THROTTLES), broker
            assert not _dynamic(admin, ResourceType.BROKER, broker) & set(BROKER_THROTTLES), broker
        # a topic the catalog does not declare keeps its throttle
        assert set(TOPIC_THROTTLES) <= set(tool.dynamic("topics", outside))
        assert _plan(root)["resource_changes"] == []  # converged
    finally:
        for broker in BROKERS:
            with contextlib.suppress(AssertionError):  # cleanup only
                tool("brokers", broker, "--alter", "--delete-config", ",".join(BROKER_THROTTLES))
        for future in admin.delete_topics([topic, outside]).values():
            with contextlib.suppress(Exception):  # cleanup only
                future.result(timeout=60)
