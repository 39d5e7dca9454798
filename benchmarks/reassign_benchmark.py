"""Replication-factor change benchmark: kgov's RF 1 -> 3 against the floor, on the three-broker sandbox.

    kgov sandbox up --brokers 3 [--racks 3] --state-dir DIR --port-base B
    python benchmarks/reassign_benchmark.py --state-dir DIR [--partitions 100] [--mb 10] [--throttle 1GiB/s]

Topics of 10 partitions at RF 1 are filled by a real producer (--partitions in all, --mb each; the
issue's acceptance size is 100 x 10 MB = 1 GB). Then, twice, the same move from RF 1 to RF 3 (the
partitions go back to RF 1 in between, untimed):

  floor  every reassignment submitted at once with no throttle (the reassignment port, kafka-python),
         waited on with list_partition_reassignments every 0.2 s
  kgov   `kgov apply --auto-approve --throttle T` of the catalog at RF 3, as a process: plan (reads,
         placement, log-dir sizes), throttle set, one submit, the wait with progress (every 2 s),
         throttle removed; start-up included

and prints both times and kgov's overhead beyond the floor. With a throttle lower than the disks and
network can carry, kgov is slower by design: the overhead is then the throttle's, not kgov's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.sandbox.api import Sandbox

REPO = Path(__file__).resolve().parents[1]
PER_TOPIC = 10


def _catalog(root: Path, bootstrap: str, names: list[str], rf: int) -> None:
    (root / "topics").mkdir(parents=True, exist_ok=True)
    settings = {
        "version": 1,
        "policy": {"replication_factor": {"min": 1}, "min_insync_replicas": {"min": 1}},
        "environments": {"bench": {"kafka": {"bootstrap_servers": bootstrap, "timeout_ms": 30000}}},
    }
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings))
    topics = [
        {"name": n, "description": "bench", "partitions": PER_TOPIC, "replication_factor": rf} for n in names
    ]
    body = {"service": "rbench", "owner": "bench", "topics": topics}
    (root / "topics" / "rbench.yaml").write_text(yaml.safe_dump(body, sort_keys=False))


def _fill(bootstrap: str, names: list[str], mb: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 50, "batch.size": 1_000_000})
    value = bytes(10_000)
    for name in names:
        for p in range(PER_TOPIC):
            for _ in range(mb * 100):  # 100 records of 10 kB a MB
                while True:
                    try:
                        producer.produce(name, value, partition=p)
                        break
                    except BufferError:
                        producer.poll(0.2)
    assert producer.flush(120) == 0


def _targets(admin: AdminClient, names: list[str], rf: int) -> dict[tuple[str, int], list[int]]:
    meta = admin.list_topics(timeout=30)
    out = {}
    for name in names:
        for p, part in meta.topics[name].partitions.items():
            first = part.replicas[0]
            out[(name, p)] = [first, *[b for b in (1, 2, 3) if b != first]][:rf]
    return out


def _wait(port: KafkaReassign, keys: list[tuple[str, int]]) -> None:
    while port.list_partition_reassignments(keys):
        time.sleep(0.2)


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--state-dir", type=Path, required=True)
    args.add_argument("--partitions", type=int, default=100)
    args.add_argument("--mb", type=int, default=10, help="MB per partition")
    args.add_argument("--throttle", default="1GiB/s")
    opts = args.parse_args()
    env = Sandbox(opts.state_dir).env()
    bootstrap = env["KGOV_BOOTSTRAP_PLAINTEXT"]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    names = [f"rbench.t{i}" for i in range(max(1, opts.partitions // PER_TOPIC))]
    keys = [(n, p) for n in names for p in range(PER_TOPIC)]
    settings = kafka_settings(
        Environment(
            Source("kgov.yaml", YamlDoc({}, {})), (), name="b", kafka={"bootstrap_servers": bootstrap}
        )
    )
    port = KafkaReassign(settings)
    root = Path(tempfile.mkdtemp(prefix="kgov-rbench-"))
    try:
        for f in admin.create_topics([NewTopic(n, PER_TOPIC, 1) for n in names]).values():
            f.result(60)
        time.sleep(1)
        _fill(bootstrap, names, opts.mb)
        total = len(keys) * opts.mb
        print(f"{len(keys)} partitions x {opts.mb} MB = {total} MB at RF 1; to RF 3 (copies {2 * total} MB)")

        back = _targets(admin, names, 1)
        start = time.monotonic()
        port.alter_partition_reassignments(_targets(admin, names, 3))
        _wait(port, keys)
        floor = time.monotonic() - start
        print(f"floor (all at once, no throttle):  {floor:6.1f} s")
        port.alter_partition_reassignments(back)
        _wait(port, keys)

        _catalog(root, bootstrap, names, 3)
        path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kgov", "apply", "--env", "bench", "--catalog", str(root),
             "--auto-approve", "--throttle", opts.throttle],
            env={**os.environ, "PYTHONPATH": path}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        for line in proc.stderr:  # kgov's progress lines (off a terminal: one per step), timed
            print(f"  {time.monotonic() - start:6.2f} s  {line.rstrip()}")
        out = proc.stdout.read() if proc.stdout else ""
        took = time.monotonic() - start
        if proc.wait() != 0:
            print(out[-3000:])
            return 1
        print(f"kgov apply --throttle {opts.throttle}: {took:6.1f} s  (overhead {took - floor:+.1f} s, "
              f"{100 * (took - floor) / floor:+.0f}%)")  # fmt: skip
        return 0
    finally:
        port.close()
        for f in admin.delete_topics(names).values():
            try:
                f.result(60)
            except Exception as exc:
                print(f"cleanup: {exc}")


if __name__ == "__main__":
    sys.exit(main())
