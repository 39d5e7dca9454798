"""Custom rules benchmark: lint of a synthetic catalog (lint_benchmark's) with and without 20 CEL
rules in policy.custom_rules, in the same run.

    python benchmarks/custom_rules_benchmark.py [--topics 10000] [--rules 20] [--repeat 3]

Prints the best wall time of `kgov lint` of each (a fresh process each time) and their ratio;
target: at most 1.5x.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint_benchmark import generate

TARGET_RATIO = 1.5
# Rules of the kinds an organisation writes: naming, sizing, configs, classification; all pass on
# the generated catalog so that the time is the evaluation's, not the findings' rendering.
EXPRS = (
    'topic.classification != "pii" || topic.config["retention.ms"] <= 604800000',
    "topic.partitions <= 120",
    "topic.replication_factor >= 3",
    'topic.name.startsWith(topic.service + ".")',
    'topic.config["min.insync.replicas"] >= 2',
    'topic.config["segment.bytes"] >= 1048576',
    "topic.description.size() > 0",
    'topic.owner != ""',
    "topic.name.size() <= 200",
    'topic.config["cleanup.policy"] in ["delete", "compact", "compact,delete", "delete,compact"]',
    'topic.name.matches("^[a-z0-9.-]+$")',
    "topic.partitions % 3 == 0",
    'topic.config["retention.ms"] >= -1',
    '!topic.name.endsWith(".tmp")',
    'topic.classification in ["", "internal", "pii", "public", "confidential"]',
    'topic.config["max.message.bytes"] <= 8388608',
    '!(topic.config["cleanup.policy"] == "compact") || topic.key_schema != ""',
    "topic.partitions * topic.replication_factor <= 3600",
    '!topic.config["unclean.leader.election.enable"]',
    'topic.config["min.insync.replicas"] < topic.replication_factor',
)


def _rules(count: int) -> str:
    lines = ["  custom_rules:"]
    for i in range(count):
        expr = EXPRS[i % len(EXPRS)].replace("'", "''")
        lines += [
            f"    - id: bench-rule-{i}",
            "      severity: error",
            "      on: topic",
            f"      expr: '{expr}'",
            "      message: '{name} breaks rule " + str(i) + "'",
        ]
    return "\n".join(lines) + "\n"


def _best(root: Path, repeat: int) -> tuple[float, int]:
    """The best wall time of `kgov lint --format json` in a fresh process (as CI runs it: an
    in-process rerun would reuse the parsed files), and how many diagnostics it printed."""
    best, found = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "kgov", "lint", str(root), "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        best = min(best, time.perf_counter() - started)
        found = len(json.loads(done.stdout)["diagnostics"])
    return best, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalog"
        generate(root, args.topics, 200, schemas=False)
        without, plain = _best(root, args.repeat)
        settings = root / "kgov.yaml"
        text = settings.read_text("utf-8")
        settings.write_text(text.replace("policy:\n", "policy:\n" + _rules(args.rules), 1), "utf-8")
        with_rules, custom = _best(root, args.repeat)
    ratio = with_rules / without
    print(f"{args.topics} topics: lint {without:.2f} s without custom rules ({plain} findings)")
    print(f"{args.topics} topics: lint {with_rules:.2f} s with {args.rules} custom rules ({custom} findings)")
    ok = ratio <= TARGET_RATIO and custom == plain
    print(f"ratio {ratio:.2f} (target <= {TARGET_RATIO}): {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
