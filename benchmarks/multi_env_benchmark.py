"""Many environments in one run: the combined plan of 4 environments against the slowest single one.

    kgov sandbox up --jit full --state-dir S1
    python benchmarks/multi_env_benchmark.py --state-dir S1 [--topics 2500] [--repeat 3] [--keep]
    # or 4 sandboxes (4 brokers), one per environment:
    python benchmarks/multi_env_benchmark.py --state-dir S1 --state-dir S2 --state-dir S3 --state-dir S4

The 4 environments log in 4 ways: PLAINTEXT, SASL_PLAINTEXT (SCRAM), SASL_SSL (SCRAM over TLS) and
SSL with a client certificate (mTLS). With one --state-dir (or none: the variables of
`eval "$(kgov sandbox env)"`) they are the 4 client listeners of ONE sandbox broker; with four, the
i-th environment is the i-th listener of the i-th sandbox (4 brokers, each answering one read).
Each plans the same catalog of --topics topics (1 partition, replication 1, an explicit retention.ms
on every other topic, as benchmarks/scale_benchmark.py), created once up front with raw CreateTopics
on every broker. So each environment's plan is a full read of 2,500 topics over its own connection,
and the combined plan makes the four reads concurrently (with one sandbox, against the same broker:
the one broker answers all four reads, on the same cores as kgov). Run the sandboxes with
`--jit full` (as production brokers run); the JIT of each is printed.

Each step is a fresh process (`python -m kgov plan ... --detailed-exitcode`, start-up included, its
byte code cached in the benchmark's temporary folder as an installed kgov's is), run in turns (each
single environment, then the combined `--all-environments`), --repeat times; the figures are
medians. It prints the combined plan's time against the slowest single environment's (the issue's
target: at most 1.3x) and against the sum of the four (what four runs in a row cost). A benchmark
that prints figures, not a test: nothing is asserted.

With --state-dir (the sandbox's folder) it also prints the CPU seconds each step cost kgov (the
child process) and the brokers (from /proc): the combined plan does four times the single plan's
per-environment work, so on a machine whose cores the brokers and kgov share, its time is bounded
below by that work divided by the cores, whatever the overlap: that bound is printed too, with the
load average before and after (other processes' work on the same cores moves every figure).
"""

from __future__ import annotations

import argparse
import json
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


def write_catalog(root: Path, prefix: str, n: int, per_sandbox: bool = False) -> list[str]:
    """scale_benchmark's catalog, with kgov.yaml naming the 4 listeners as 4 environments; with
    `per_sandbox`, the i-th environment's variables end in _i (the i-th sandbox's, `sandbox_env`)."""
    names = write_kgov_catalog(root, prefix, n)
    settings = (root / "kgov.yaml").read_text("utf-8").split("environments:\n")[0]
    blocks = "".join(
        f"  {name}:\n    kafka:\n{_suffixed(kafka, i) if per_sandbox else kafka}      timeout_ms: 120000\n"
        for i, (name, kafka) in enumerate(ENVIRONMENTS.items(), 1)
    )
    (root / "kgov.yaml").write_text(settings + "environments:\n" + blocks, "utf-8")
    return names


def _suffixed(kafka: str, i: int) -> str:
    """An environment's kafka block with every ${env:KGOV_X} reference made ${env:KGOV_X_i}."""
    return kafka.replace("}\n", f"_{i}}}\n")


def sandbox_env(state_dir: Path) -> dict[str, str]:
    """The variables `kgov sandbox env --state-dir` exports (bootstrap addresses, CA, password)."""
    shown = subprocess.run(
        [sys.executable, "-m", "kgov", "sandbox", "env", "--state-dir", str(state_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pairs = (
        line.removeprefix("export ").split("=", 1)
        for line in shown.splitlines()
        if line.startswith("export ")
    )
    return {key: value.strip("'\"") for key, value in pairs}


def broker_pids(state_dirs: list[Path]) -> list[int]:
    """The sandboxes' broker processes (each folder's run/kafka*.pid), for their CPU seconds."""
    return [int(f.read_text()) for d in state_dirs for f in sorted((d / "run").glob("kafka*.pid"))]


def jit_of(state_dir: Path) -> str:
    """The JIT a sandbox was started with (its remembered options), `quick` if it does not say."""
    try:
        return str(json.loads((state_dir / "sandbox.json").read_text("utf-8")).get("kafka_jit", "quick"))
    except (OSError, ValueError):
        return "unknown"


def cpu_seconds(brokers: list[int]) -> tuple[float, float]:
    """CPU seconds used so far by this process's finished children, and by the brokers (0: unknown)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    broker = 0.0
    for pid in brokers:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        broker += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return children.ru_utime + children.ru_stime, broker


def timed(cmd: list[str], brokers: list[int], cpu: list[tuple[float, float]], env: dict[str, str]) -> float:
    before = cpu_seconds(brokers)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    after = cpu_seconds(brokers)
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
    parser.add_argument("--keep", action="store_true", help="leave the benchmark's topics on the brokers")
    parser.add_argument(
        "--state-dir",
        type=Path,
        action="append",
        default=[],
        help="a sandbox's folder (once: its 4 listeners; 4 times: a sandbox per environment); "
        "also shows the brokers' CPU",
    )
    args = parser.parse_args()
    dirs: list[Path] = args.state_dir
    if len(dirs) not in (0, 1, len(ENVIRONMENTS)):
        raise SystemExit(
            f"give --state-dir once (one sandbox) or {len(ENVIRONMENTS)} times (one per environment)"
        )
    env = dict(os.environ)
    per_sandbox = len(dirs) == len(ENVIRONMENTS)
    if per_sandbox:
        for i, folder in enumerate(dirs, 1):
            env.update({f"{key}_{i}": value for key, value in sandbox_env(folder).items()})
        bootstraps = [env[f"KGOV_BOOTSTRAP_PLAINTEXT_{i}"] for i in range(1, len(dirs) + 1)]
    else:
        if dirs:
            env.update(sandbox_env(dirs[0]))
        if not env.get("KGOV_BOOTSTRAP_PLAINTEXT") or not env.get("KGOV_BOOTSTRAP_MTLS"):
            raise SystemExit('give --state-dir, or start the sandbox and run: eval "$(kgov sandbox env)"')
        bootstraps = [env["KGOV_BOOTSTRAP_PLAINTEXT"]]

    brokers = broker_pids(dirs)
    prefix = "me" + uuid.uuid4().hex[:6]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="kgov-multi-env-") as work:
        root = Path(work) / "catalog"
        names = write_catalog(root, prefix, args.topics, per_sandbox)
        # kgov's byte code cached, as an installed kgov's is (pip compiles it): the warm-up writes it.
        # With PYTHONDONTWRITEBYTECODE set, every step compiled kgov again (about 0.2 CPU-s each).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(work) / "pycache")
        print(f"machine: {machine()}")
        if dirs:
            print(f"sandboxes: {', '.join(f'{d} (--jit {jit_of(d)})' for d in dirs)}")
        for bootstrap in bootstraps:
            print(f"creating {len(names):,} topics on {bootstrap} ...", flush=True)
            floor_create(names, bootstrap, 1000)
        try:
            single: dict[str, list[float]] = {name: [] for name in ENVIRONMENTS}
            combined: list[float] = []
            cpu: dict[str, list[tuple[float, float]]] = {name: [] for name in [*ENVIRONMENTS, "all"]}
            plan = [sys.executable, "-m", "kgov", "plan", "--catalog", str(root), "--detailed-exitcode"]
            for name in ENVIRONMENTS:  # warm-up: every broker's caches, Python's byte code
                timed([*plan, "--env", name], [], [], env)
            for turn in range(args.repeat):
                for name in ENVIRONMENTS:
                    single[name].append(timed([*plan, "--env", name], brokers, cpu[name], env))
                combined.append(timed([*plan, "--all-environments"], brokers, cpu["all"], env))
                print(f"  turn {turn + 1}/{args.repeat} done", flush=True)
        finally:
            if not args.keep:
                for bootstrap in bootstraps:
                    admin = _admin(bootstrap)  # kept while its futures resolve: a dropped client cancels them
                    for future in admin.delete_topics(names, operation_timeout=120).values():
                        future.result()

    medians = {name: statistics.median(times) for name, times in single.items()}
    slowest_env = max(medians, key=lambda name: medians[name])
    together = statistics.median(combined)
    where = (
        f"a sandbox each ({len(dirs)} brokers)" if per_sandbox else "the 4 listeners of one sandbox broker"
    )
    print(f"\n{len(ENVIRONMENTS)} environments ({where}), {args.topics:,} topics each;")
    print(f"medians of {args.repeat} runs, each a fresh `kgov plan` process, wall time:")
    for name, seconds in medians.items():
        print(f"  kgov plan --env {name:<13} {seconds:7.2f} s{_cpu(cpu[name])}")
    print(f"  kgov plan --all-environments {together:7.2f} s{_cpu(cpu['all'])}")
    ratio = together / medians[slowest_env]
    print(
        f"combined / slowest single ({slowest_env}): {ratio:.2f}x (target <= 1.3x); "
        f"combined / sum of singles: {together / sum(medians.values()):.2f}x"
    )
    if brokers:
        # CPU seconds (kgov + brokers) are what other processes on the cores do not change much: the
        # wall-time ratio tends to their ratio when every core is busy, and the combined plan cannot
        # take less than its CPU seconds spread perfectly over the cores, whatever the overlap.
        spent = statistics.median(c[0] + c[1] for c in cpu["all"])
        one = statistics.median(c[0] + c[1] for c in cpu[slowest_env])
        cores = os.cpu_count() or 1
        print(
            f"CPU (kgov + brokers): combined {spent:.2f} s against the slowest single's {one:.2f} s "
            f"({spent / one:.2f}x); on {cores} idle cores the combined plan takes at least "
            f"{spent / cores:.2f} s"
        )
    print(f"load average (1, 5, 15 min): before {_load(load_before)}, after {_load(os.getloadavg())}")
    return 0


def _load(avg: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in avg)


if __name__ == "__main__":
    sys.exit(main())
