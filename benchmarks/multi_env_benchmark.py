"""Many environments in one run: the combined plan of 4 environments against the slowest single one.

    kgov sandbox up && eval "$(kgov sandbox env)"
    python benchmarks/multi_env_benchmark.py [--topics 2500] [--repeat 3] [--keep]

The 4 environments are the 4 client listeners of ONE sandbox broker (kgov.yaml below): PLAINTEXT,
SASL_PLAINTEXT (SCRAM), SASL_SSL (SCRAM over TLS) and SSL with a client certificate (mTLS). Each
plans the same catalog of --topics topics (1 partition, replication 1, an explicit retention.ms on
every other topic, as benchmarks/scale_benchmark.py), created once up front with raw CreateTopics.
So each environment's plan is a full read of 2,500 topics over its own connection, and the combined
plan makes the four reads concurrently, against the same broker (a harder case than 4 clusters: the
one broker answers all four reads, on the same cores as kgov).

Each step is a fresh process (`python -m kgov plan ... --detailed-exitcode`, start-up included),
run in turns (each single environment, then the combined `--all-environments`), --repeat times; the
figures are medians. It prints the combined plan's time against the slowest single environment's
(the issue's target: at most 1.3x) and against the sum of the four (what four runs in a row cost).
A benchmark that prints figures, not a test: nothing is asserted.

With --state-dir (the sandbox's folder) it also prints the CPU seconds each step cost kgov (the
child process) and the broker (from /proc): the combined plan does four times the single plan's
work, so on a machine whose cores the broker and kgov share, its time is bounded below by that
work divided by the cores, whatever the overlap.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_benchmark import _admin, floor_create, machine, write_kgov_catalog

SCRAM = (
    "      sasl_mechanism: SCRAM-SHA-512\n"
    "      username: ${env:KGOV_USERNAME}\n      password: ${env:KGOV_PASSWORD}\n"
)
ENVIRONMENTS = {
    "plaintext": "      bootstrap_servers: ${env:KGOV_BOOTSTRAP_PLAINTEXT}\n"
    "      security_protocol: PLAINTEXT\n",
    "sasl": "      bootstrap_servers: ${env:KGOV_BOOTSTRAP_SASL}\n      security_protocol: SASL_PLAINTEXT\n"
    + SCRAM,
    "sasl-ssl": "      bootstrap_servers: ${env:KGOV_BOOTSTRAP_SSL}\n      security_protocol: SASL_SSL\n"
    + SCRAM
    + "      ssl_ca_location: ${env:KGOV_CA_FILE}\n",
    "mtls": "      bootstrap_servers: ${env:KGOV_BOOTSTRAP_MTLS}\n      security_protocol: SSL\n"
    "      ssl_ca_location: ${env:KGOV_CA_FILE}\n"
    "      ssl_certificate_location: ${env:KGOV_CLIENT_CERT_FILE}\n"
    "      ssl_key_location: ${env:KGOV_CLIENT_KEY_FILE}\n",
}


def write_catalog(root: Path, prefix: str, n: int) -> list[str]:
    """scale_benchmark's catalog, with kgov.yaml naming the 4 listeners as 4 environments."""
    names = write_kgov_catalog(root, prefix, n)
    settings = (root / "kgov.yaml").read_text("utf-8").split("environments:\n")[0]
    blocks = "".join(
        f"  {name}:\n    kafka:\n{kafka}      timeout_ms: 120000\n" for name, kafka in ENVIRONMENTS.items()
    )
    (root / "kgov.yaml").write_text(settings + "environments:\n" + blocks, "utf-8")
    return names


def cpu_seconds(broker_pid: int | None) -> tuple[float, float]:
    """CPU seconds used so far by this process's finished children, and by the broker (0: unknown)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    broker = 0.0
    if broker_pid is not None:
        fields = Path(f"/proc/{broker_pid}/stat").read_text().rsplit(")", 1)[1].split()
        broker = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return children.ru_utime + children.ru_stime, broker


def timed(cmd: list[str], broker_pid: int | None, cpu: list[tuple[float, float]]) -> float:
    before = cpu_seconds(broker_pid)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = cpu_seconds(broker_pid)
    cpu.append((after[0] - before[0], after[1] - before[1]))
    if done.returncode != 0:  # --detailed-exitcode: 0 is "no changes", the only expected answer
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def _cpu(cpu: list[tuple[float, float]]) -> str:
    kgov = statistics.median(c[0] for c in cpu)
    broker = statistics.median(c[1] for c in cpu)
    return f"   CPU: kgov {kgov:5.2f} s, broker {broker:5.2f} s" if broker else f"   CPU: kgov {kgov:5.2f} s"


def main() -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--topics", type=int, default=2500, help="topics in the catalog (each environment's)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (medians are shown)")
    parser.add_argument("--keep", action="store_true", help="leave the benchmark's topics on the broker")
    parser.add_argument("--state-dir", type=Path, help="the sandbox's folder: also show the broker's CPU")
    args = parser.parse_args()
    missing = [v for v in ("KGOV_BOOTSTRAP_PLAINTEXT", "KGOV_BOOTSTRAP_MTLS") if not os.environ.get(v)]
    if missing:
        raise SystemExit('start the sandbox and run: eval "$(kgov sandbox env)"')

    bootstrap = os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]
    pid_file = args.state_dir / "run" / "kafka.pid" if args.state_dir else None
    broker_pid = int(pid_file.read_text()) if pid_file is not None and pid_file.is_file() else None
    prefix = "me" + uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="kgov-multi-env-") as work:
        root = Path(work) / "catalog"
        names = write_catalog(root, prefix, args.topics)
        print(f"machine: {machine()}")
        print(f"creating {len(names):,} topics on {bootstrap} ...", flush=True)
        floor_create(names, bootstrap, 1000)
        try:
            single: dict[str, list[float]] = {env: [] for env in ENVIRONMENTS}
            combined: list[float] = []
            cpu: dict[str, list[tuple[float, float]]] = {env: [] for env in [*ENVIRONMENTS, "all"]}
            plan = [sys.executable, "-m", "kgov", "plan", "--catalog", str(root), "--detailed-exitcode"]
            timed([*plan, "--env", "plaintext"], None, [])  # warm-up: the broker's caches, Python's byte code
            for turn in range(args.repeat):
                for env in ENVIRONMENTS:
                    single[env].append(timed([*plan, "--env", env], broker_pid, cpu[env]))
                combined.append(timed([*plan, "--all-environments"], broker_pid, cpu["all"]))
                print(f"  turn {turn + 1}/{args.repeat} done", flush=True)
        finally:
            if not args.keep:
                admin = _admin(bootstrap)  # kept while its futures resolve: a dropped client cancels them
                for future in admin.delete_topics(names, operation_timeout=120).values():
                    future.result()

    medians = {env: statistics.median(times) for env, times in single.items()}
    slowest_env = max(medians, key=lambda env: medians[env])
    together = statistics.median(combined)
    print(
        f"\n{len(ENVIRONMENTS)} environments (the 4 listeners of one sandbox broker), "
        f"{args.topics:,} topics each;"
    )
    print(f"medians of {args.repeat} runs, each a fresh `kgov plan` process, wall time:")
    for env, seconds in medians.items():
        print(f"  kgov plan --env {env:<13} {seconds:7.2f} s{_cpu(cpu[env])}")
    print(f"  kgov plan --all-environments {together:7.2f} s{_cpu(cpu['all'])}")
    ratio = together / medians[slowest_env]
    print(
        f"combined / slowest single ({slowest_env}): {ratio:.2f}x (target <= 1.3x); "
        f"combined / sum of singles: {together / sum(medians.values()):.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
