"""Lint benchmark: a synthetic catalog of N topics across services, linted in-process.

    python benchmarks/lint_benchmark.py                 # 2,500, 5,000 and 10,000 topics, 200 services
    python benchmarks/lint_benchmark.py --topics 10000 --schemas

Each size runs in a fresh child process, so its peak memory (maxrss) is its own. Prints the wall time
of load + lint (and of load alone) and the peak resident memory, and whether it met the targets
(10,000 topics: at most 3 s and 300 MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 3.0
TARGET_MB = 300.0
EVENTS = ("created", "updated", "cancelled", "completed", "failed", "state", "shipped", "refunded")


def generate(root: Path, topics: int, services: int, schemas: bool) -> None:
    """Write kgov.yaml, topics/<service>.yaml and acls/<service>.yaml (and schemas/) under root."""
    (root / "topics").mkdir(parents=True)
    (root / "acls").mkdir()
    (root / "schemas").mkdir()
    (root / "kgov.yaml").write_text(
        "version: 1\n"
        "policy:\n  partitions: {min: 1, max: 120}\n  replication_factor: {min: 3}\n"
        "  min_insync_replicas: {min: 2}\n  required: [owner, description]\n"
        "environments:\n"
        "  local:\n    kafka: {bootstrap_servers: 'localhost:9092'}\n"
        "    overrides: {replication_factor: 1, config: {min.insync.replicas: 1}}\n"
        "  prod:\n    kafka: {bootstrap_servers: '${env:PROD_BOOTSTRAP}',\n"
        "            password: '${env:PROD_PASSWORD}'}\n",
        "utf-8",
    )
    per_service = [topics // services + (1 if i < topics % services else 0) for i in range(services)]
    names: list[list[str]] = []
    for s, count in enumerate(per_service):
        service = f"svc{s:04d}"
        mine = [
            f"{service}.{EVENTS[i % len(EVENTS)]}{'' if i < len(EVENTS) else f'-{i}'}" for i in range(count)
        ]
        names.append(mine)
        lines = [f"service: {service}", f"owner: team-{s % 40}", "topics:"]
        for name in mine:
            compact = name.endswith(".state")
            lines += [
                f"  - name: {name}",
                f"    description: Event {name} of service {service}.",
                f"    partitions: {6 if compact else 12}",
                "    replication_factor: 3",
                "    classification: internal",
                "    config:",
                "      min.insync.replicas: 2",
                "      retention.ms: 7d" if not compact else "      cleanup.policy: compact",
                "      segment.bytes: 256MiB",
            ]
            if compact:
                lines.append(f"    key_schema: {name}-key")
            if schemas:
                lines.append(f"    value_schema: {name}-value")
        (root / "topics" / f"{service}.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        for name in mine:
            subjects = ([f"{name}-value"] if schemas else []) + (
                [f"{name}-key"] if name.endswith(".state") else []
            )
            for subject in subjects:
                record = {
                    "type": "record",
                    "name": "R",
                    "namespace": "bench",
                    "fields": [{"name": "id", "type": "string"}, {"name": "at", "type": "long"}],
                }
                (root / "schemas" / f"{subject}.avsc").write_text(json.dumps(record), "utf-8")
    for s in range(services):
        service = f"svc{s:04d}"
        consumes = names[(s + 1) % services][:3]
        (root / "acls" / f"{service}.yaml").write_text(
            f"service: {service}\nowner: team-{s % 40}\nprincipal: User:{service}\n"
            "authentication:\n"
            f"  scram: {{mechanism: SCRAM-SHA-512, password: '${{env:{service.upper()}_PW}}'}}\n"
            f"produces: [{', '.join(names[s])}]\n"
            f"consumes: [{', '.join(consumes)}]\n"
            f"consumer_groups: [{service}]\nidempotent: true\n"
            "acls:\n"
            f"  - {{resource: topic, name: '{service}.', pattern: prefixed,\n"
            "     operations: [describe_configs]}\n",
            "utf-8",
        )


def measure(topics: int, services: int, schemas: bool) -> dict[str, float]:
    """In this process: generate, then time load + lint; peak RSS of the process."""
    from kgov.catalog.load import load_catalog
    from kgov.policy import lint

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalog"
        generate(root, topics, services, schemas)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        loaded = load_catalog(root)
        loaded_at = time.perf_counter()
        diagnostics = lint(loaded)
        done = time.perf_counter()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        errors = [d for d in diagnostics if d.is_error]
        if errors:
            raise SystemExit(f"the synthetic catalog is not clean: {errors[:3]}")
        return {
            "topics": topics,
            "load_s": loaded_at - start,
            "total_s": done - start,
            "peak_mb": rss,
            "before_mb": rss_before,
            "diagnostics": len(diagnostics),
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--topics", type=int, nargs="*", default=[2500, 5000, 10000])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--schemas", action="store_true", help="also write one schema file per subject")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.topics[0], args.services, args.schemas)))
        return 0
    print(f"kgov lint benchmark: {args.services} services{', with schema files' if args.schemas else ''}")
    print(f"{'topics':>8} {'load s':>8} {'total s':>8} {'peak MB':>8} {'µs/topic':>9}")
    ok = True
    for n in args.topics:
        cmd = [sys.executable, __file__, "--child", "--topics", str(n), "--services", str(args.services)]
        cmd += ["--schemas"] if args.schemas else []
        result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        per_topic = result["total_s"] / n * 1e6
        print(
            f"{n:>8} {result['load_s']:>8.2f} {result['total_s']:>8.2f} "
            f"{result['peak_mb']:>8.0f} {per_topic:>9.0f}"
        )
        if n >= 10000 and (result["total_s"] > TARGET_SECONDS or result["peak_mb"] > TARGET_MB):
            ok = False
    print(
        f"target for 10,000 topics: ≤ {TARGET_SECONDS:.0f} s and ≤ {TARGET_MB:.0f} MB: "
        + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
