"""Plan and apply at scale against the running sandbox; prints wall time, admin requests, memory.

    kgov sandbox up && eval "$(kgov sandbox env)"
    python benchmarks/plan_benchmark.py [--existing 5000] [--create 1000]

1. creates N topics directly (setup, not measured), with an explicit config on every other one;
2. measures `plan` of a catalog naming those N topics (the cluster matches: no changes expected);
3. measures `apply` of a catalog adding M new topics;
4. deletes everything it created.
Targets on the 2-core machine: plan of 5,000 topics <= 10 s with <= 15 admin requests;
apply of 1,000 creations <= 60 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient, NewTopic

from kgov.catalog.model import Catalog, Environment, Ownership, Settings, Source, Topic, TopicsFile
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.engine.apply import apply_plan, await_visible
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends

ENV_BLOCK = {
    "bootstrap_servers": "${env:KGOV_BOOTSTRAP_SASL}",
    "security_protocol": "SASL_PLAINTEXT",
    "sasl_mechanism": "SCRAM-SHA-512",
    "username": "${env:KGOV_USERNAME}",
    "password": "${env:KGOV_PASSWORD}",
    "timeout_ms": 120000,
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


SRC = Source("benchmark", YamlDoc({}, {}))


def _env() -> Environment:
    return Environment(SRC, (), name="local", kafka=ENV_BLOCK)


def _catalog(service: str, names: list[str]) -> Catalog:
    topics = tuple(
        Topic(
            SRC,
            (),
            name=n,
            service=service,
            partitions=1,
            replication_factor=1,
            config={"retention.ms": "86400000"} if i % 2 == 0 else {},
        )
        for i, n in enumerate(names)
    )
    settings = Settings(
        SRC, (), ownership=Ownership(protected=("__*", "_*"), delete=False), environments={"local": _env()}
    )
    return Catalog(Path("."), settings, topic_files=(TopicsFile(SRC, (), service=service, topics=topics),))


def _setup(admin: AdminClient, names: list[str]) -> None:
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        specs = [
            NewTopic(n, 1, 1, config={"retention.ms": "86400000"} if (start + i) % 2 == 0 else {})
            for i, n in enumerate(batch)
        ]
        for future in admin.create_topics(specs, operation_timeout=120).values():
            future.result()
    # the broker's metadata trails the controller: wait until every topic is listed
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        listed = admin.list_topics(timeout=30).topics
        if all(n in listed for n in names):
            return
        time.sleep(0.5)
    raise SystemExit("setup: topics did not show up in the broker's metadata within 120 s")


def _teardown(admin: AdminClient, names: list[str]) -> None:
    for start in range(0, len(names), 1000):
        for future in admin.delete_topics(names[start : start + 1000], operation_timeout=120).values():
            try:
                future.result()
            except Exception as exc:  # report, go on: a benchmark must clean up what it can
                print(f"  cleanup: {exc}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--existing", type=int, default=5000)
    parser.add_argument("--create", type=int, default=1000)
    args = parser.parse_args()
    if "KGOV_BOOTSTRAP_SASL" not in os.environ:
        print('run `eval "$(kgov sandbox env)"` first', file=sys.stderr)
        return 1
    service = "bench" + uuid.uuid4().hex[:6]
    existing = [f"{service}.existing-{i:05d}" for i in range(args.existing)]
    fresh = [f"{service}.new-{i:05d}" for i in range(args.create)]
    admin = AdminClient({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
    print(f"setup: creating {len(existing)} topics directly ...", flush=True)
    t0 = time.monotonic()
    _setup(admin, existing)
    print(f"setup: {time.monotonic() - t0:.1f}s")
    try:
        cluster = KafkaCluster(kafka_settings(_env()))
        rss0 = _rss_mb()
        t0 = time.monotonic()
        plan = make_plan(_catalog(service, existing), "local", Backends(kafka=cluster), allow_delete=False)
        plan_s = time.monotonic() - t0
        print(
            f"plan   {len(existing):>5} existing topics: {plan_s:6.2f}s, "
            f"{sum(cluster.requests.values())} admin requests {dict(cluster.requests)}, "
            f"{len(plan.entries)} entries, peak RSS {_rss_mb():.0f} MB (+{_rss_mb() - rss0:.0f} MB)"
        )
        cluster = KafkaCluster(kafka_settings(_env()))
        t0 = time.monotonic()
        backends = Backends(kafka=cluster)
        plan = make_plan(_catalog(service, existing + fresh), "local", backends, allow_delete=False)
        results = apply_plan(plan, backends)
        invisible = await_visible(plan, results, backends)
        apply_s = time.monotonic() - t0
        failed = sum(not r.ok for r in results)
        errors = sorted({str(r.error)[:120] for r in results if not r.ok})[:3]
        if errors:
            print("  errors:", errors)
        print(
            f"apply  {len(fresh):>5} topic creations:  {apply_s:6.2f}s "
            "(plan and wait-until-visible included), "
            f"{sum(cluster.requests.values())} admin requests {dict(cluster.requests)}, {failed} failed, "
            f"peak RSS {_rss_mb():.0f} MB"
        )
        if invisible:
            print(f"  not visible after the wait: {len(invisible)}")
        return 1 if failed else 0
    finally:
        print("cleanup: deleting the benchmark's topics ...", flush=True)
        _teardown(admin, existing + fresh)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
