"""Access at scale against the running sandbox: 1,000 principals with 10,000 ACL bindings, and
password verification of 200 SCRAM users. Prints wall time, admin requests and memory.

    kgov sandbox up && eval "$(kgov sandbox env)"
    python benchmarks/access_benchmark.py [--principals 1000] [--users 200]

1. apply of a catalog granting each principal 10 bindings (plan + apply + wait until visible);
2. plan of the same catalog (the cluster matches: no changes expected);
3. verification by login of --users SCRAM users created directly (setup, not measured);
4. deletes everything it created.
Targets on the 2-core machine: plan <= 5 s with a request count independent of the number of
bindings; apply of all creations <= 60 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import uuid
from pathlib import Path

from kgov.catalog.grants import desired_bindings
from kgov.catalog.model import AccessFile, AclEntry, Catalog, Environment, Ownership, Settings, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.access_port import LoginAttempt, ScramDelete, ScramUpsert
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
SRC = Source("benchmark", YamlDoc({}, {}))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _env() -> Environment:
    return Environment(SRC, (), name="local", kafka=ENV_BLOCK)


def _catalog(run: str, principals: int) -> Catalog:
    """Each principal: 2 produces (4), 2 consumes (4), 1 group (1), 1 explicit prefixed grant (1)."""
    files = []
    for i in range(principals):
        svc = f"{run}-p{i:04d}"
        files.append(
            AccessFile(
                SRC, (), service=svc, principal=f"User:{svc}",
                produces=(f"{svc}.a", f"{svc}.b"),
                consumes=(f"{run}-p{(i + 1) % principals:04d}.a", f"{svc}.in"),
                consumer_groups=(svc,),
                acls=(AclEntry(SRC, (), resource="topic", name=f"{svc}.", pattern="prefixed",
                               operations=("describe_configs",)),),
            )
        )  # fmt: skip
    settings = Settings(
        SRC, (), ownership=Ownership(protected=("__*", "_*"), delete=False), environments={"local": _env()}
    )
    return Catalog(Path("."), settings, access_files=tuple(files))


def _requests(cluster: KafkaCluster) -> str:
    return f"{sum(cluster.requests.values())} admin requests {dict(cluster.requests)}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--principals", type=int, default=1000)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    if "KGOV_BOOTSTRAP_SASL" not in os.environ:
        print('run `eval "$(kgov sandbox env)"` first', file=sys.stderr)
        return 1
    run = "bench" + uuid.uuid4().hex[:6]
    catalog = _catalog(run, args.principals)
    bindings = [b for grants in desired_bindings(catalog, "local").values() for b in grants]
    users = [f"{run}-u{i:03d}" for i in range(args.users)]
    failed = 0
    try:
        cluster = KafkaCluster(kafka_settings(_env()))
        backends = Backends(kafka=cluster)
        t0 = time.monotonic()
        plan = make_plan(catalog, "local", backends, allow_delete=False)
        results = apply_plan(plan, backends)
        invisible = await_visible(plan, results, backends)
        failed = sum(not r.ok for r in results)
        print(
            f"apply  {len(bindings)} bindings of {args.principals} principals: {time.monotonic() - t0:6.2f}s "
            f"(plan and wait-until-visible included), {_requests(cluster)}, {failed} failed, "
            f"{len(invisible)} not visible, peak RSS {_rss_mb():.0f} MB"
        )
        cluster = KafkaCluster(kafka_settings(_env()))
        rss0 = _rss_mb()
        t0 = time.monotonic()
        plan = make_plan(catalog, "local", Backends(kafka=cluster), allow_delete=False)
        print(
            f"plan   {len(bindings)} bindings, converged: {time.monotonic() - t0:6.2f}s, "
            f"{_requests(cluster)}, "
            f"{len(plan.entries)} entries, peak RSS {_rss_mb():.0f} MB (+{_rss_mb() - rss0:.0f} MB)"
        )
        admin = KafkaCluster(kafka_settings(_env()))
        for start in range(0, len(users), 100):  # setup, not measured
            admin.alter_scram(
                [ScramUpsert(u, "SCRAM-SHA-512", 4096, "pw-" + u) for u in users[start : start + 100]], []
            )
        attempts = [
            LoginAttempt(u, "SCRAM-SHA-512", "pw-" + u if i % 10 else "wrong") for i, u in enumerate(users)
        ]
        t0 = time.monotonic()
        verdicts = admin.verify_logins(attempts)
        counts = {v: sum(r.verdict == v for r in verdicts.values()) for v in ("ok", "failed", "unverifiable")}
        print(f"logins {len(users)} SCRAM users verified: {time.monotonic() - t0:6.2f}s, {counts}")
        return 1 if failed or counts["unverifiable"] else 0
    finally:
        print("cleanup: deleting the benchmark's bindings and users ...", flush=True)
        admin = KafkaCluster(kafka_settings(_env()))
        admin.delete_acls(bindings)
        admin.alter_scram([], [ScramDelete(u, "SCRAM-SHA-512") for u in users])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
