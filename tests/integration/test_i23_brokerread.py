"""One DescribeConfigs per broker for a plan's broker and replica kinds (issue 23), on the three-broker
sandbox: with broker settings managed (catalog/cluster/sb3.yaml) and throttle rates left on every
broker (set with Kafka's own ConfigCommand), the plan shows the rates' removal and the settings'
change, and kgov sent each broker's DescribeConfigs once (counted at confluent-kafka's admin
client, where the requests leave kgov), the cluster default once; without broker settings the
replica kind's rates cost one DescribeConfigs per broker and no cluster-default read, as before.
What the plan says was there is what ConfigCommand (a tool kgov did not write) describes."""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from confluent_kafka.admin import AdminClient, NewTopic

from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.replicas import KafkaReplicas
from kgov.cluster.kafka.replica_port import BROKER_THROTTLES
from kgov.commands.common import connect
from kgov.engine.make import make_plan
from tests.support import unique_service

from .conftest import ThreeBrokers
from .test_i23_throttle_leftover import BROKERS, ConfigCommand
from .test_replicas_faults import _serving
from .test_replicas_kind import ENV, PARTITIONS, _catalog

RATE = "2097152"
SETTING = "log.cleaner.backoff.ms"  # harmless: the log cleaner's pace


def _plan(root: Path) -> tuple[Any, Counter[str], Counter[str], bool]:
    """The plan's JSON, the BROKER resources kgov's DescribeConfigs asked (by broker id, at the
    admin client), kgov's own request counters, and whether the cluster default was read."""
    catalog = load_catalog(root).catalog
    backends = connect(catalog, ENV)
    kafka = backends.kafka
    assert isinstance(kafka, KafkaCluster)
    asked: Counter[str] = Counter()
    describe = kafka._admin.describe_configs

    def counted(resources: list[Any], **kw: Any) -> Any:
        asked.update(r.name for r in resources if r.restype.name == "BROKER")
        return describe(resources, **kw)

    kafka._admin.describe_configs = counted  # type: ignore[method-assign]
    try:
        doc = make_plan(catalog, ENV, backends, allow_delete=False).to_json()
        return doc, asked, Counter(kafka.requests), "_default_client" in kafka.__dict__
    finally:
        if isinstance(backends.reassign, KafkaReplicas):
            backends.reassign.close()


def test_a_plan_reads_each_brokers_configs_once_for_the_broker_and_replica_kinds(
    sandbox3: ThreeBrokers, tmp_path: Path
) -> None:
    bootstrap = sandbox3.env["KGOV_BOOTSTRAP_PLAINTEXT"]
    _serving(bootstrap)  # a fault test before may have restarted a broker
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topic = f"{unique_service()}.orders"
    for future in admin.create_topics([NewTopic(topic, PARTITIONS, 1)]).values():
        future.result(timeout=60)
    tool = ConfigCommand(sandbox3)
    try:
        for broker in BROKERS:  # what an interrupted apply leaves: the rates, nothing moving
            tool(
                "brokers",
                broker,
                "--alter",
                "--add-config",
                ",".join(f"{k}={RATE}" for k in BROKER_THROTTLES),
            )
        plain = _catalog(tmp_path / "plain", bootstrap, [topic], 1)
        managed = _catalog(tmp_path / "managed", bootstrap, [topic], 1)
        (managed / "cluster").mkdir()
        (managed / "cluster" / f"{ENV}.yaml").write_text(
            yaml.safe_dump({"brokers": {2: {"settings": {SETTING: "17s"}}}})
        )

        doc, asked, requests, default_read = _plan(managed)
        entries = {e["address"]: e for e in doc["resource_changes"]}
        assert sorted(entries) == ["broker.2", *(f"replicas.broker:{b}" for b in BROKERS)]
        assert asked == Counter(BROKERS)  # each broker once, for both kinds
        assert default_read
        print(f"\nplan with broker settings: BROKER DescribeConfigs {dict(asked)}; counters {dict(requests)}")
        # what the plan says was on the brokers is what Kafka's own tool describes
        for broker in BROKERS:
            found = tool.dynamic("brokers", broker)
            rows = {c["field"]: c["before"] for c in entries[f"replicas.broker:{broker}"]["changes"]}
            assert (
                rows
                == {f"config.{k}": found[k] for k in BROKER_THROTTLES}
                == {f"config.{k}": RATE for k in BROKER_THROTTLES}
            )
        assert {c["field"]: c["after"] for c in entries["broker.2"]["changes"]} == {
            f"config.{SETTING}": "17000"
        }
        assert SETTING not in tool.dynamic("brokers", "2")

        doc, asked, requests, default_read = _plan(plain)
        assert sorted(e["address"] for e in doc["resource_changes"]) == [
            f"replicas.broker:{b}" for b in BROKERS
        ]
        assert asked == Counter(BROKERS) and not default_read  # as before: no cluster-default read
        print(f"plan without: BROKER DescribeConfigs {dict(asked)}; kgov's counters {dict(requests)}")
    finally:
        for broker in BROKERS:
            with contextlib.suppress(AssertionError):  # cleanup only
                tool("brokers", broker, "--alter", "--delete-config", ",".join(BROKER_THROTTLES))
        for future in admin.delete_topics([topic]).values():
            with contextlib.suppress(Exception):  # cleanup only
                future.result(timeout=60)
