"""Faults on a real three-broker cluster (fixture `sandbox3`): a broker killed with SIGKILL in the middle
of an apply of 1,000 actions, the whole cluster restarted between plan and apply, a saved plan applied
twice. kgov runs as a user runs it: the CLI in a subprocess, reading the sandbox's KGOV_* variables.

Every time: apply reports the outcome of every action (or refuses the whole plan as stale, changing
nothing), nothing outside the plan is touched, and a new plan after the fault converges.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewTopic, ResourceType

from tests.support import write_catalog

from .conftest import ThreeBrokers

REPO = Path(__file__).resolve().parents[2]
KGOV_TIMEOUT = 300.0
MANY = 1000
RESTART_TIMEOUT = 300.0  # a broker holding thousands of replicas catches up slowly on a busy machine


def _kgov(cluster: ThreeBrokers, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kgov", *args],
        cwd=cwd,
        env=_env(cluster),
        capture_output=True,
        text=True,
        timeout=KGOV_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def _env(cluster: ThreeBrokers) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, **cluster.env, "PYTHONPATH": path}


def outcomes(apply_json: str) -> dict[str, dict[str, Any]]:
    """Topic name -> its result in `kgov apply --format json`: v1 results carry `name`, v2 results an
    `address` "topic.NAME". Each topic must be reported once."""
    found: dict[str, dict[str, Any]] = {}
    for result in json.loads(apply_json)["results"]:
        name = result["name"] if "name" in result else result["address"].removeprefix("topic.")
        assert name not in found, f"{name} reported twice"
        found[name] = result
    return found


def _topic(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": "fault test",
        "partitions": 1,
        "replication_factor": 3,
        "config": {"min.insync.replicas": 2},
    }


def _catalog(root: Path, service: str, count: int) -> list[str]:
    """The catalog goes in root (tmp/catalog); plan files go next to it, never inside (kgov refuses)."""
    names = [f"{service}.t{i:04d}" for i in range(count)]
    write_catalog(root, {service: [_topic(n) for n in names]})
    return names


def _admin(cluster: ThreeBrokers) -> AdminClient:
    return AdminClient({"bootstrap.servers": cluster.env["KGOV_BOOTSTRAP_PLAINTEXT"]})


def _snapshot(admin: AdminClient, names: list[str]) -> dict[str, tuple[int, int, dict[str, str]]]:
    """name -> (partitions, replicas of partition 0, dynamic topic configs), for the names that exist.

    Retried for a while: right after a creation, or with a broker down, the broker asked may not know
    a topic yet or may not answer (the test reads the cluster; it does not test this read)."""
    deadline = time.monotonic() + 90
    while True:
        try:
            return _read(admin, names)
        except (KafkaException, TimeoutError):
            if time.monotonic() >= deadline:
                raise
            time.sleep(1)


def _snapshot_all(admin: AdminClient, names: list[str]) -> dict[str, tuple[int, int, dict[str, str]]]:
    """_snapshot once every name shows: the "before" of a comparison. A topic another client just saw
    may not be known yet to the broker this client asks (each broker learns it from the controller)."""
    deadline = time.monotonic() + 60
    while True:
        state = _snapshot(admin, names)
        if sorted(state) == sorted(names):
            return state
        assert time.monotonic() < deadline, f"never shown in metadata: {sorted(set(names) - set(state))}"
        time.sleep(0.2)


def _read(admin: AdminClient, names: list[str]) -> dict[str, tuple[int, int, dict[str, str]]]:
    topics = admin.list_topics(timeout=20).topics
    present = [n for n in names if n in topics]
    resources = [ConfigResource(ResourceType.TOPIC, n) for n in present]
    futures = admin.describe_configs(resources, request_timeout=10) if present else {}
    configs = {r.name: f.result(timeout=15) for r, f in futures.items()}
    return {
        n: (
            len(topics[n].partitions),
            len(topics[n].partitions[0].replicas),
            {
                e.name: str(e.value)
                for e in configs[n].values()
                if e.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
            },
        )
        for n in present
    }


@pytest.fixture
def unrelated(sandbox3: ThreeBrokers) -> Iterator[str]:
    """A topic no catalog of these tests mentions; it must come out of every fault untouched."""
    name = f"unrelated-{uuid.uuid4().hex[:8]}"
    admin = _admin(sandbox3)
    spec = NewTopic(name, 2, 3, config={"retention.ms": "123456789"})
    admin.create_topics([spec])[name].result(timeout=30)
    _snapshot_all(admin, [name])  # acknowledged is not yet visible in metadata
    yield name
    sandbox3.box.up(timeout=RESTART_TIMEOUT)  # a test that failed midway may have left a broker dead
    admin = _admin(sandbox3)
    admin.delete_topics([name])[name].exception(timeout=60)


@pytest.fixture
def service(sandbox3: ThreeBrokers) -> Iterator[str]:
    """A fresh service name; its topics are deleted afterwards, so a reused sandbox does not fill up."""
    name = "f" + uuid.uuid4().hex[:9]
    yield name
    sandbox3.box.up(timeout=RESTART_TIMEOUT)  # a test that failed midway may have left a broker dead
    admin = _admin(sandbox3)
    mine = [t for t in admin.list_topics(timeout=20).topics if t.startswith(f"{name}.")]
    for future in admin.delete_topics(mine, operation_timeout=60).values() if mine else ():
        future.exception(timeout=120)


def _converges(cluster: ThreeBrokers, root: Path, names: list[str]) -> None:
    """A new plan applies cleanly and the plan after it shows no changes; every topic has 3 replicas."""
    planned = _kgov(cluster, root, "plan", "--env", "local", "--catalog", "catalog", "--out", "again.json")
    assert planned.returncode == 0, planned.stderr
    applied = _kgov(
        cluster, root, "apply", "again.json", "--env", "local", "--catalog", "catalog", "--format", "json"
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert all(r["ok"] for r in outcomes(applied.stdout).values())
    final = _kgov(cluster, root, "plan", "--env", "local", "--catalog", "catalog", "--detailed-exitcode")
    assert final.returncode == 0, final.stdout + final.stderr
    assert "No changes" in final.stdout
    state = _snapshot(_admin(cluster), names)
    assert sorted(state) == sorted(names)
    assert {v[:2] for v in state.values()} == {(1, 3)}
    assert all(v[2].get("min.insync.replicas") == "2" for v in state.values())


def _kill_when_first_topic_shows(cluster: ThreeBrokers, proc: subprocess.Popen[str], prefix: str) -> str:
    """SIGKILL broker-2 as soon as the first topic of the apply shows in metadata; returns what was seen."""
    watcher = _admin(cluster)
    deadline = time.monotonic() + KGOV_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("apply ended before the broker could be killed: the fault was not injected")
        topics = watcher.list_topics(timeout=5).topics
        seen = sum(1 for t in topics if t.startswith(prefix))
        if seen:
            pid = cluster.box.status().of("broker-2").pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            return f"broker-2 (pid {pid}) killed with {seen} of {MANY} topics visible"
        time.sleep(0.02)
    pytest.fail("no topic of the apply showed up in time")


def test_broker_killed_in_the_middle_of_an_apply_of_1000_actions(
    sandbox3: ThreeBrokers, service: str, unrelated: str, tmp_path: Path
) -> None:
    names = _catalog(tmp_path / "catalog", service, MANY)
    admin = _admin(sandbox3)
    before = _snapshot_all(admin, [unrelated])
    planned = _kgov(
        sandbox3, tmp_path, "plan", "--env", "local", "--catalog", "catalog", "--out", "plan.json"
    )
    assert planned.returncode == 0, planned.stderr

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kgov",
            "apply",
            "plan.json",
            "--env",
            "local",
            "--catalog",
            "catalog",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        env=_env(sandbox3),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        fault = _kill_when_first_topic_shows(sandbox3, proc, f"{service}.")
        stdout, stderr = proc.communicate(timeout=KGOV_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in stderr, stderr
    print(f"{fault}; apply exit {proc.returncode}")

    # Nothing outside the plan changed, before or after the restart, and a new plan converges.
    assert _snapshot_all(admin, [unrelated]) == before
    created = set(admin.list_topics(timeout=20).topics)  # metadata only: a broker is down
    sandbox3.box.up(timeout=RESTART_TIMEOUT)  # restarts broker-2 (only it)
    assert sandbox3.box.is_running()
    _converges(sandbox3, tmp_path, names)
    assert _snapshot_all(admin, [unrelated]) == before

    # Every action's outcome is reported, with Kafka's error for each failure; the exit code says
    # whether any failed. Which ones fail depends on where the kill lands: in the batch in flight
    # when the broker died, every creation whose outcome the client could not learn.
    results = outcomes(stdout)
    assert sorted(results) == names
    failed = {n: r["error"] for n, r in results.items() if not r["ok"]}
    assert all(isinstance(error, str) and error for error in failed.values()), failed
    assert proc.returncode == (1 if failed else 0), (proc.returncode, stderr[-2000:])
    print(f"{MANY - len(failed)} ok, {len(failed)} failed; errors: {sorted(set(failed.values()))[:3]}")
    # What apply reported as done was done (read before the restart).
    assert all(n in created for n, r in results.items() if r["ok"])


def _live_brokers(cluster: ThreeBrokers) -> int | None:
    """How many brokers the cluster counts as live (None while it does not answer)."""
    try:
        admin = _admin(cluster)  # kept until the future resolves: a dropped client cancels it
        return len(admin.describe_cluster(request_timeout=5).result(timeout=8).nodes)
    except (KafkaException, TimeoutError):
        return None


def _isr_sizes(admin: AdminClient, names: list[str]) -> set[int]:
    topics = admin.list_topics(timeout=20).topics
    return {len(topics[n].partitions[0].isrs) for n in names if n in topics}


def test_apply_of_1000_actions_while_a_broker_is_dead_and_fenced(
    sandbox3: ThreeBrokers, service: str, unrelated: str, tmp_path: Path
) -> None:
    """The deterministic end of the same fault: the broker died after the plan and the controller has
    fenced it. Kafka still places replicas on a fenced (registered) broker, so every creation of
    replication factor 3 succeeds, with 2 of 3 replicas in sync: min.insync.replicas 2 is still met.
    Apply reports all 1,000 as done and exits 0, which is the truth; after the restart the third
    replica catches up and a new plan shows no changes."""
    names = _catalog(tmp_path / "catalog", service, MANY)
    admin = _admin(sandbox3)
    before = _snapshot_all(admin, [unrelated])
    planned = _kgov(
        sandbox3, tmp_path, "plan", "--env", "local", "--catalog", "catalog", "--out", "plan.json"
    )
    assert planned.returncode == 0, planned.stderr

    pid = sandbox3.box.status().of("broker-3").pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 90
    while _live_brokers(sandbox3) != 2:
        assert time.monotonic() < deadline, "the controller never fenced the killed broker"
        time.sleep(0.5)

    applied = _kgov(
        sandbox3, tmp_path, "apply", "plan.json", "--env", "local", "--catalog", "catalog", "--format", "json"
    )
    assert applied.returncode == 0, applied.stdout[-2000:] + applied.stderr
    results = outcomes(applied.stdout)
    assert sorted(results) == names and all(r["ok"] for r in results.values())
    assert _isr_sizes(admin, names) == {2}  # the dead broker holds a replica it cannot sync yet
    assert _snapshot_all(admin, [unrelated]) == before

    sandbox3.box.up(timeout=RESTART_TIMEOUT)
    _converges(sandbox3, tmp_path, names)
    deadline = time.monotonic() + 120
    while _isr_sizes(admin, names) != {3}:
        assert time.monotonic() < deadline, "the restarted broker's replicas never came back in sync"
        time.sleep(1)
    assert _snapshot_all(admin, [unrelated]) == before


def test_cluster_restarted_between_plan_and_apply(
    sandbox3: ThreeBrokers, service: str, unrelated: str, tmp_path: Path
) -> None:
    """The plan's fingerprint covers the topics in scope, their partitions and configs: a restart
    changes none of them, so the saved plan is still exact and applies in full."""
    names = _catalog(tmp_path / "catalog", service, 30)
    before = _snapshot_all(_admin(sandbox3), [unrelated])
    planned = _kgov(
        sandbox3, tmp_path, "plan", "--env", "local", "--catalog", "catalog", "--out", "plan.json"
    )
    assert planned.returncode == 0, planned.stderr

    kafka_nodes = ("controller", "broker-1", "broker-2", "broker-3")
    stopped = sandbox3.box.stop(kafka_nodes)
    assert [s.outcome for s in stopped] == ["stopped"] * 4
    restarted = sandbox3.box.up(timeout=RESTART_TIMEOUT)
    assert sorted(restarted.started) == sorted(kafka_nodes)

    applied = _kgov(
        sandbox3, tmp_path, "apply", "plan.json", "--env", "local", "--catalog", "catalog", "--format", "json"
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    results = outcomes(applied.stdout)
    assert sorted(results) == names and all(r["ok"] for r in results.values())
    _converges(sandbox3, tmp_path, names)
    assert _snapshot_all(_admin(sandbox3), [unrelated]) == before


def test_a_saved_plan_applied_twice_is_refused_as_stale(
    sandbox3: ThreeBrokers, service: str, unrelated: str, tmp_path: Path
) -> None:
    names = _catalog(tmp_path / "catalog", service, 20)
    planned = _kgov(
        sandbox3, tmp_path, "plan", "--env", "local", "--catalog", "catalog", "--out", "plan.json"
    )
    assert planned.returncode == 0, planned.stderr
    first = _kgov(
        sandbox3, tmp_path, "apply", "plan.json", "--env", "local", "--catalog", "catalog", "--format", "json"
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert sorted(outcomes(first.stdout)) == names

    admin = _admin(sandbox3)
    before = _snapshot_all(admin, [*names, unrelated])
    second = _kgov(
        sandbox3, tmp_path, "apply", "plan.json", "--env", "local", "--catalog", "catalog", "--format", "json"
    )
    assert second.returncode == 1, second.stdout + second.stderr
    assert "stale plan" in second.stderr and "nothing was applied" in second.stderr
    assert "Traceback" not in second.stderr
    assert _snapshot_all(admin, [*names, unrelated]) == before
