"""One read of the brokers' configs per plan (kgov/engine/reads.py PARTS, SHARED_AS): the broker
kind's whole read and the replica kind's leftover-rate read share each broker's DescribeConfigs,
whichever asks first; without the broker kind the replica kind reads no more than before; the
replica adapter's per-broker reads are all in flight at once; and the plans are the same as before
(the twins reading apart, as the adapters did) on rates present and absent, a refused read, a
broker down and a broker that does not answer."""

from __future__ import annotations

import copy
import threading
import time
from collections import Counter, deque
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import ConfigEntry, ConfigResource, ConfigSource, ResourceType

from kgov.catalog.load import load_catalog
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.adapter.base import error_text
from kgov.cluster.kafka.adapter.replicas import KafkaReplicas
from kgov.cluster.kafka.broker_port import BrokerConfigs, BrokerConfigValue
from kgov.cluster.kafka.replica_port import BROKER_THROTTLES
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.engine.make import make_plan
from kgov.engine.observe import Ports
from kgov.engine.reads import ReadOnce
from kgov.errors import ClusterError
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.kinds.replicas.observe import observe_replicas
from tests.support import topic_doc, write_catalog

RATES = {k: "10485760" for k in BROKER_THROTTLES}
MANAGED = "settings:\n  log.cleaner.threads: 2\nbrokers:\n  2: {settings: {log.cleaner.threads: 3}}\n"
REFUSED = "CLUSTER_AUTHORIZATION_FAILED: Cluster authorization failed."
SILENT = "_TIMED_OUT: no answer from Kafka within 35s"


# -- the in-memory twins: a plan's requests -----------------------------------------------------
def _catalog(root: Path, managed: bool) -> Path:
    write_catalog(root, {"orders": [topic_doc("orders.t0", 6)]})
    if managed:
        (root / "cluster").mkdir(exist_ok=True)
        (root / "cluster" / "local.yaml").write_text(MANAGED)
    return root


def _twins(linked: bool, overrides: dict[int, dict[str, str]]) -> tuple[MemoryCluster, MemoryReplicas]:
    """A Kafka twin and a replica twin of one 3-broker cluster: `linked`, the replica twin reads the
    brokers' configs through the Kafka twin (as the adapter); else apart, as before (its own copy)."""
    kafka = MemoryCluster(brokers=3)
    kafka.add_topic("orders.t0", 6, 1)
    kafka.broker_overrides.update(copy.deepcopy(overrides))
    port = MemoryReplicas({1: "r0", 2: "r1", 3: "r2"}, kafka=kafka if linked else None)
    port.add_topic("orders.t0", [[1 + p % 3] for p in range(6)])
    if not linked:
        port.broker_config.update(copy.deepcopy(overrides))
    return kafka, port


def _plan(root: Path, kafka: MemoryCluster, port: MemoryReplicas) -> Any:
    catalog = load_catalog(root).catalog
    plan = make_plan(catalog, "local", Backends(kafka=kafka, reassign=port), allow_delete=False, kinds=KINDS)
    doc = plan.to_json()
    del doc["created_at"]  # the clock's second: two plans compared may straddle one
    return doc


def _requests(kafka: MemoryCluster, port: MemoryReplicas) -> Counter[str]:
    return Counter(kafka.requests) + Counter(port.requests)


def test_a_plan_of_managed_broker_settings_reads_each_brokers_configs_once(tmp_path: Path) -> None:
    root = _catalog(tmp_path / "c", managed=True)
    kafka, port = _twins(True, {b: dict(RATES) for b in (1, 2, 3)})
    doc = _plan(root, kafka, port)
    addresses = [e["address"] for e in doc["resource_changes"]]
    assert {"replicas.broker:1", "replicas.broker:2", "replicas.broker:3", "broker.default"} <= set(addresses)
    # the same plan without the replica kind's rates: what the broker and topic kinds read alone
    kafka_alone, port_alone = _twins(True, {b: dict(RATES) for b in (1, 2, 3)})
    catalog = load_catalog(root).catalog
    others = tuple(k for k in KINDS if k.name != "replicas")
    make_plan(
        catalog, "local", Backends(kafka=kafka_alone, reassign=port_alone), allow_delete=False, kinds=others
    )
    # the replica kind's rates cost no DescribeConfigs: the broker kind's answered them
    assert kafka.requests.count("describe_configs") == kafka_alone.requests.count("describe_configs")
    # 3 brokers, the cluster default and the topics' configs (one batch for the topic and replica
    # kinds): what the Kafka twin read alone before, while the replica twin read 3 brokers more
    kafka_old, port_old = _twins(False, {b: dict(RATES) for b in (1, 2, 3)})
    assert _plan(root, kafka_old, port_old) == doc
    assert _requests(kafka, port)["describe_configs"] == kafka_old.requests.count("describe_configs") == 5
    assert port_old.requests.count("describe_configs") == 3 + 1


def test_without_broker_settings_the_replica_kind_reads_no_more_than_before(tmp_path: Path) -> None:
    root = _catalog(tmp_path / "c", managed=False)
    kafka, port = _twins(True, {b: dict(RATES) for b in (1, 2, 3)})
    kafka_old, port_old = _twins(False, {b: dict(RATES) for b in (1, 2, 3)})
    doc = _plan(root, kafka, port)
    assert _plan(root, kafka_old, port_old) == doc
    before = _requests(kafka_old, port_old)
    # the twin apart read its topics' configs itself (the adapter has shared them since i23-throttle)
    before["describe_configs"] -= 1
    assert _requests(kafka, port) == before  # no cluster default, no DescribeCluster more
    assert kafka.requests.count("describe_configs") == 3 + 1  # 3 brokers, one topics' batch
    assert [e["address"] for e in doc["resource_changes"]][:3] == [f"replicas.broker:{b}" for b in (1, 2, 3)]


@pytest.mark.parametrize("replica_first", [True, False])
def test_whichever_kind_asks_first_reads_for_both(replica_first: bool) -> None:
    kafka, port = _twins(True, {1: dict(RATES), 2: {"log.cleaner.threads": "4"}})
    ports = Ports(Backends(kafka=kafka, reassign=port))
    brokers, replicas = ports.get("kafka"), ports.get("reassign")
    assert brokers is not None and replicas is not None
    if replica_first:
        rates = replicas.broker_configs([1, 2, 3])
        whole = brokers.broker_configs()
    else:
        whole = brokers.broker_configs()
        rates = replicas.broker_configs([1, 2, 3])
    assert rates == {1: RATES, 2: {"log.cleaner.threads": "4"}, 3: {}}
    assert whole == MemoryCluster.broker_configs(kafka)  # the same as a read of its own
    assert replicas.broker_configs([3, 1]) == {1: RATES, 3: {}}  # asked again: answered, not read
    assert brokers.broker_configs() is whole
    # 3 brokers and the default, once; then the direct read above: 3 and 1 more
    assert kafka.requests.count("describe_configs") == 4 + 4


def test_a_scoped_plan_reads_no_broker_configs() -> None:
    kafka, port = _twins(True, {1: dict(RATES)})
    observed = observe_replicas(port, {}, read_rates=False)
    assert observed.rates == {} and "describe_configs" not in kafka.requests + port.requests
    assert observe_replicas(port, {}).rates == {1: RATES}
    assert kafka.requests.count("describe_configs") == 3


def _outcome(root: Path, kafka: MemoryCluster, port: MemoryReplicas) -> Any:
    try:
        return _plan(root, kafka, port)
    except ClusterError as exc:
        return ("error", exc.message, exc.hint)


@pytest.mark.parametrize("managed", [True, False])
@pytest.mark.parametrize(
    "case", ["rates", "no-rates", "some-rates", "refused", "refused-one", "down", "silent", "down-and-rates"]
)
def test_the_plan_is_the_same_as_when_each_kind_read_its_own(
    tmp_path: Path, case: str, managed: bool
) -> None:
    root = _catalog(tmp_path / "c", managed)
    overrides = {
        "rates": {b: dict(RATES) for b in (1, 2, 3)},
        "some-rates": {2: {BROKER_THROTTLES[0]: "5"}, 3: {"log.cleaner.threads": "4"}},
        "down-and-rates": {b: dict(RATES) for b in (1, 2, 3)},
    }.get(case, {})
    outcomes = []
    for linked in (False, True):
        kafka, port = _twins(linked, overrides)
        failing = {"refused": {1: REFUSED, 2: REFUSED, 3: REFUSED}, "refused-one": {2: REFUSED}}.get(case, {})
        if case == "silent":
            failing = {2: SILENT}
        for broker, error in failing.items():  # as each twin's read answers it
            kafka.broker_read_errors[str(broker)] = error
            if not linked:
                port.broker_read_errors[broker] = error
        if case.startswith("down"):
            port.down.add(3)  # not live: the replica kind does not ask it
        outcomes.append(_outcome(root, kafka, port))
    assert outcomes[0] == outcomes[1]
    if case in ("refused", "refused-one") and not managed:  # a plan of topics still works
        assert not any(e["address"].startswith("replicas.broker") for e in outcomes[1]["resource_changes"])
    if case == "silent":
        assert outcomes[1][0] == "error" and "broker 2" in outcomes[1][1]


# -- the adapters, over a fake confluent-kafka admin: requests sent, all in flight at once --------
class _Admin:
    """confluent-kafka's describe_configs, one BROKER resource per call: each call and each answer
    awaited is logged, so the order shows whether the reads were in flight at once."""

    def __init__(
        self, configs: dict[str, dict[str, ConfigEntry]], errors: dict[str, str] | None = None
    ) -> None:
        self.configs = configs
        self.errors = errors or {}
        self.log: list[str] = []

    def describe_configs(self, resources: list[Any], request_timeout: float) -> dict[Any, Future[Any]]:
        (resource,) = resources
        broker = resource.name
        self.log.append(f"send {broker}")
        log = self.log

        class _Answer(Future[Any]):
            def result(self, timeout: float | None = None) -> Any:
                log.append(f"await {broker}")
                return super().result(timeout)

        future = _Answer()
        if broker in self.errors:
            code, _, text = self.errors[broker].partition(": ")
            future.set_exception(KafkaException(KafkaError(getattr(KafkaError, code), text)))
        else:
            future.set_result(self.configs[broker])
        return {resource: future}


class _Default:
    def describe(self) -> dict[str, Any]:
        return {}


def _entry(name: str, value: str | None, source: ConfigSource, sensitive: bool = False) -> ConfigEntry:
    return ConfigEntry(name, value, source=source, is_sensitive=sensitive)


DYNAMIC = ConfigSource.DYNAMIC_BROKER_CONFIG
CONFIGS = {
    "1": {
        **{k: _entry(k, v, DYNAMIC) for k, v in RATES.items()},
        "log.cleaner.threads": _entry("log.cleaner.threads", "2", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
        "num.io.threads": _entry("num.io.threads", "8", ConfigSource.DEFAULT_CONFIG),
    },
    "2": {
        "sasl.jaas.config": _entry("sasl.jaas.config", None, DYNAMIC, sensitive=True),
        "log.cleaner.backoff.ms": _entry("log.cleaner.backoff.ms", "16000", DYNAMIC),
        "log.dirs": _entry("log.dirs", "/tmp/x", ConfigSource.STATIC_BROKER_CONFIG),
    },
    "3": {},
}


def _adapters(admin: _Admin) -> tuple[KafkaCluster, KafkaReplicas]:
    cluster = KafkaCluster.__new__(KafkaCluster)  # no client: the fake admin answers
    cluster.requests = Counter()
    cluster._errors = deque(maxlen=1)
    cluster._admin = admin  # type: ignore[assignment]
    cluster._timeout = 5.0
    cluster._listed = None
    cluster.__dict__["_live_brokers"] = [1, 2, 3]  # as DescribeCluster answered
    cluster.__dict__["_default_client"] = _Default()
    return cluster, KafkaReplicas(cluster, None)  # type: ignore[arg-type]


def _old_broker_configs(replicas: KafkaReplicas, brokers: list[int]) -> dict[int, dict[str, str]]:
    """The replica adapter's read before (main 2ae4549): one broker after another."""
    cluster = replicas.kafka
    dynamic = (ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_BROKER_CONFIG.value)
    out: dict[int, dict[str, str]] = {}
    for broker in sorted(set(brokers)):
        answer = cluster._batched(
            "describe_configs",
            [str(broker)],
            lambda chunk: cluster._admin.describe_configs(
                [ConfigResource(ResourceType.BROKER, b) for b in chunk],
                request_timeout=cluster._timeout,
            ),
            keep=lambda entries: {
                e.name: e.value for e in entries.values() if e.source in dynamic and e.value is not None
            },
        )
        for _name, (configs, exc) in answer.items():
            if exc is not None:
                raise ClusterError(f"cannot read the configs of broker {broker}: {error_text(exc)}")
            out[broker] = configs
    return out


def test_the_replica_adapter_sends_every_brokers_read_before_awaiting_one() -> None:
    admin = _Admin(CONFIGS)
    _, replicas = _adapters(admin)
    replicas.broker_configs([3, 1, 2])
    assert admin.log[:3] == ["send 1", "send 2", "send 3"]
    assert sorted(admin.log[3:]) == ["await 1", "await 2", "await 3"]


@pytest.mark.parametrize(
    "errors", [{}, {"2": REFUSED}, {"1": REFUSED, "3": REFUSED}, {"3": "_TIMED_OUT: late"}]
)
def test_the_replica_adapters_answer_is_the_same_as_before(errors: dict[str, str]) -> None:
    def read(how: Any) -> Any:
        _, replicas = _adapters(_Admin(CONFIGS, errors))
        try:
            return how(replicas, [1, 2, 3])
        except ClusterError as exc:
            return ("error", exc.message)

    new = read(lambda r, b: r.broker_configs(b))
    assert new == read(_old_broker_configs)
    if not errors:
        assert new == {1: RATES, 2: {"log.cleaner.backoff.ms": "16000"}, 3: {}}


@pytest.mark.parametrize("replica_first", [True, False])
def test_through_the_plans_ports_each_broker_is_asked_once(replica_first: bool) -> None:
    admin = _Admin(CONFIGS)
    cluster, replicas = _adapters(admin)
    alone = _adapters(_Admin(CONFIGS))[0].broker_configs()  # the broker kind's read of its own
    ports = Ports(Backends(kafka=cluster, reassign=replicas))
    kafka, reassign = ports.get("kafka"), ports.get("reassign")
    assert kafka is not None and reassign is not None
    if replica_first:
        rates = reassign.broker_configs([1, 2, 3])
        whole = kafka.broker_configs()
    else:
        whole = kafka.broker_configs()
        rates = reassign.broker_configs([1, 2, 3])
    assert whole == alone
    assert rates == {1: RATES, 2: {"log.cleaner.backoff.ms": "16000"}, 3: {}}
    assert sorted(e for e in admin.log if e.startswith("send")) == ["send 1", "send 2", "send 3"]
    assert cluster.requests["describe_configs"] == 4  # 3 brokers and the cluster default


def test_a_refused_broker_is_asked_once_and_both_kinds_see_the_refusal() -> None:
    admin = _Admin(CONFIGS, {"2": REFUSED})
    cluster, replicas = _adapters(admin)
    ports = Ports(Backends(kafka=cluster, reassign=replicas))
    kafka, reassign = ports.get("kafka"), ports.get("reassign")
    assert kafka is not None and reassign is not None
    with pytest.raises(ClusterError, match="broker 2: CLUSTER_AUTHORIZATION_FAILED"):
        reassign.broker_configs([1, 2, 3])
    whole = kafka.broker_configs()
    assert whole.errors == {"2": REFUSED} and sorted(whole.brokers) == [1, 3]
    assert [e for e in admin.log if e.startswith("send")] == ["send 1", "send 2", "send 3"]


class _SlowBrokers:
    """A Kafka port whose broker reads take a while, counting each broker asked."""

    def __init__(self) -> None:
        self.asked: Counter[int] = Counter()

    def _read(self, brokers: list[int]) -> BrokerConfigs:
        time.sleep(0.05)
        self.asked.update(brokers)
        return BrokerConfigs({}, {b: {} for b in brokers}, {})

    def broker_configs_of(self, brokers: Any) -> BrokerConfigs:
        return self._read(sorted(set(brokers)))

    def broker_configs(self, known: BrokerConfigs | None = None) -> BrokerConfigs:
        have = known or BrokerConfigs({}, {}, {})
        read = self._read([b for b in (1, 2, 3) if not have.answers(b)])
        return BrokerConfigs({"d": BrokerConfigValue("1", "DYNAMIC_DEFAULT_BROKER_CONFIG")}, {}, {}).merged(
            have.merged(read)
        )


class _ThroughSlow:
    def __init__(self, kafka: _SlowBrokers) -> None:
        self.kafka = kafka

    def broker_configs(self, brokers: Any) -> Any:  # not called: the proxy makes it from the Kafka port's
        raise AssertionError("read apart")

    def broker_configs_from(self, read: BrokerConfigs, brokers: Any) -> Any:
        return sorted(read.brokers)


def test_the_two_kinds_asking_at_once_from_two_threads_ask_each_broker_once() -> None:
    kafka = _SlowBrokers()
    proxies: dict[str, ReadOnce] = {}
    proxies["kafka"] = ReadOnce(kafka, proxies.get)
    proxies["reassign"] = ReadOnce(_ThroughSlow(kafka), proxies.get)
    answers: list[Any] = []
    threads = [
        threading.Thread(target=lambda: answers.append(proxies["reassign"].broker_configs([1, 2, 3]))),
        threading.Thread(target=lambda: answers.append(sorted(proxies["kafka"].broker_configs().brokers))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert answers == [[1, 2, 3], [1, 2, 3]]
    assert kafka.asked == Counter({1: 1, 2: 1, 3: 1})
