"""Large catalog, no cluster: `kgov lint` against the bare libyaml parse of the same files.

    python benchmarks/large_catalog_benchmark.py [--topics 100000] [--repeat 3] [--profile]
    python benchmarks/large_catalog_benchmark.py --topics 100000 --compare ../kgov-before

Generates in a temp folder a catalog of --topics topics, 100 a service file (scale_benchmark's
topics: 1 partition, an explicit retention.ms on every other topic), one acls/<service>.yaml a
service with --bindings-per-file bindings (produces, consumes, a consumer group and a prefixed
grant; every consumed topic is produced by someone, so the catalog lints clean) and --schemas Avro
value subjects (the first topic of a service file gets one, then the second, …). Then, each a fresh
process (start-up included), taking turns, the median of --repeat runs of:

  kgov lint   `python -m kgov lint -c DIR` (exit 0)
  floor       a bare script: `yaml.load(..., Loader=yaml.CSafeLoader)` of every YAML file (kgov.yaml,
              topics/, acls/) and `json.loads` of every schema file

with wall time, CPU time (user + system) and peak resident memory (the child's maxrss); the floor
runs with kgov's garbage-collector settings (as scale_benchmark's floors), paused while it parses
as kgov's is while it reads the catalog and a snapshot (kgov/gcpause.py). The ratios are kgov /
floor, both measured in the same run: on a shared machine wall time moves with the load, CPU time
much less.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import scale_benchmark as scale

from kgov.cli import tune_gc
from kgov.gcpause import no_cycles

PREFIX = "b"


# -- the catalog ----------------------------------------------------------------------------------


def subject_of(topic: str) -> str:
    return f"{topic}-value"


def avro(i: int) -> str:
    fields = [{"name": "id", "type": "string"}, {"name": "n", "type": "long"}]
    return json.dumps({"type": "record", "name": f"Event{i}", "namespace": "bench", "fields": fields})


def write_catalog(root: Path, topics: int, schemas: int, per_file: int) -> dict[str, list[str]]:
    """The catalog under root; the names made: topics, subjects, principals."""
    names = scale.write_kgov_catalog(root, PREFIX, topics)
    files = [names[i : i + scale.PER_SERVICE] for i in range(0, topics, scale.PER_SERVICE)]
    # subjects: the first topic of every file, then the second, ...
    with_schema = [f[j] for j in range(scale.PER_SERVICE) for f in files if j < len(f)][:schemas]
    schema_set = set(with_schema)
    (root / "schemas").mkdir()
    for i, name in enumerate(with_schema):
        (root / "schemas" / f"{subject_of(name)}.avsc").write_text(avro(i) + "\n", "utf-8")
    for path in (root / "topics").iterdir():
        lines = []
        for line in path.read_text("utf-8").splitlines():
            lines.append(line)
            if line.startswith("  - name: ") and line[10:] in schema_set:
                lines.append(f"    value_schema: {subject_of(line[10:])}")
        path.write_text("\n".join(lines) + "\n", "utf-8")
    # acls: each service produces a quarter of its own topics and consumes what the next two produce
    (root / "acls").mkdir()
    produced = max(1, (per_file - 2) // 4)
    principals = []
    for s, mine in enumerate(files):
        svc = mine[0].split(".")[0]
        produces = mine[:produced]
        producers = (files[(s + 1) % len(files)], files[(s + 2) % len(files)])
        consumes = [f[k] for k in range(produced) for f in producers]
        consumes = consumes[: (per_file - 2 - 2 * produced) // 2]  # WRITE+DESCRIBE, READ+DESCRIBE each
        principals.append(f"User:{svc}")
        (root / "acls" / f"{svc}.yaml").write_text(
            f"service: {svc}\nowner: team-{svc}\nprincipal: User:{svc}\n"
            f"produces: [{', '.join(produces)}]\nconsumes: [{', '.join(consumes)}]\n"
            f"consumer_groups: [{svc}]\n"
            "acls:\n"
            f"  - {{resource: topic, name: '{svc}.', pattern: prefixed, operations: [describe_configs]}}\n",
            "utf-8",
        )
    return {"topics": names, "subjects": [subject_of(n) for n in with_schema], "principals": principals}


# -- the floor ------------------------------------------------------------------------------------


def floor_lint(root: Path) -> None:
    """Parse every file lint reads, with libyaml (json for the schemas)."""
    import yaml

    yaml.load((root / "kgov.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    for folder in ("topics", "acls"):
        for path in sorted((root / folder).iterdir()):
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    for path in sorted((root / "schemas").iterdir()):
        json.loads(path.read_bytes())


def with_registry(root: Path) -> None:
    """kgov.yaml's environment gains a schema registry (its URL from the environment: never used
    offline, the snapshot answers)."""
    settings = root / "kgov.yaml"
    text = settings.read_text("utf-8") + "    schema_registry:\n      url: ${env:KGOV_SCHEMA_REGISTRY_URL}\n"
    settings.write_text(text, "utf-8")


def take_snapshot(root: Path, snap: Path) -> None:
    """Apply the catalog to kgov's in-memory twins of a cluster and a registry, then take the
    snapshot `kgov plan --snapshot` reads (kgov snapshot's own code: the format is kgov's)."""
    from kgov.cluster.memory.kafka import MemoryCluster
    from kgov.cluster.memory.registry import MemoryRegistry
    from kgov.commands.apply import run_apply
    from kgov.commands.snapshot import run_snapshot
    from kgov.kinds.base import Backends

    backends = Backends(kafka=MemoryCluster(brokers=1), registry=MemoryRegistry())
    if run_apply(root, "local", auto_approve=True, backends=backends) != 0:
        raise SystemExit("the catalog did not apply to the in-memory twin")
    if run_snapshot(root, "local", snap, backends=backends) != 0:
        raise SystemExit("the snapshot could not be taken")


def _topic_entry(text: str, at: int) -> tuple[int, int]:
    """Where the topic entry of a service file starting at `at` ends (the next entry or the end)."""
    end = text.find("\n  - name: ", at + 1)
    return at, len(text) if end < 0 else end + 1


def git_catalog(repo: Path, topics: int, schemas: int, per_file: int, changed: int) -> list[str]:
    """The catalog as a git repository (one commit) whose ACLs and `changed` topics are on the
    live cluster (applied by kgov from a scoped plan against a commit without those topics, then
    that commit dropped), then those topics changed in the working tree: the third topic of each
    of the first `changed` service files (one without a schema) has its retention.ms doubled."""
    root = repo / "catalog"
    write_catalog(root, topics, schemas, per_file)
    with_registry(root)
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "catalog"], check=True)
    files = sorted((root / "topics").iterdir())[:changed]
    texts = {path: path.read_text("utf-8") for path in files}
    names = []
    for path, text in texts.items():  # the base without them: applying the difference creates them
        third = list(re.finditer(r"^  - name: (\S+)$", text, re.M))[2]
        assert scale.has_retention(third.group(1))
        names.append(third.group(1))
        start, end = _topic_entry(text, third.start())
        path.write_text(text[:start] + text[end:], "utf-8")
    subprocess.run([*git, "commit", "-q", "-a", "-m", "without the changed topics"], check=True)
    for path, text in texts.items():
        path.write_text(text, "utf-8")
    saved = repo / "setup-plan.json"
    plan = ("plan", "--env", "local", "-c", str(root), "--base", "HEAD", "--out", str(saved))
    log = repo.parent / "setup.log"
    run(scale.kgov_cmd(*plan, "--detailed-exitcode"), log, expect=(2,))
    run(scale.kgov_cmd("apply", str(saved), "--env", "local", "-c", str(root), "--auto-approve"), log)
    saved.unlink()
    subprocess.run([*git, "reset", "-q", "--hard", "HEAD~1"], check=True)
    old = f"retention.ms: {scale.RETENTION}"
    for (path, text), name in zip(texts.items(), names, strict=True):
        start, end = _topic_entry(text, text.index(f"  - name: {name}\n"))
        entry = text[start:end].replace(old, f"retention.ms: {int(scale.RETENTION) * 2}")
        path.write_text(text[:start] + entry + text[end:], "utf-8")
    return names


def floor_plan(root: Path, snap: Path) -> None:
    """The least a plan from a snapshot reads: every catalog file (libyaml, json for the schemas)
    and the snapshot (json)."""
    floor_lint(root)
    json.loads(snap.read_bytes())


# -- measuring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float  # user + system seconds of the child: steadier than wall time on a shared machine
    peak_mb: float


def run(cmd: Sequence[str], log: Path, expect: Sequence[int] = (0,)) -> Run:
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=scale.CHILD_ENV,
            cwd=log.parent,  # not a checkout: `python -m kgov` imports kgov from the current folder first
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in expect:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(cmd[:6])} ... exited {code} (expected {list(expect)}):\n{tail}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median(runs: Sequence[Run]) -> Run:
    """The median run by time, with the highest peak memory of them all."""
    mid = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    cpu = sorted(r.cpu for r in runs)[len(runs) // 2]
    return Run(mid.seconds, cpu, max(r.peak_mb for r in runs))


def against_floor(n: int, cmds: dict[str, list[str]], log: Path, repeat: int) -> None:
    """Each command's median run, printed with its ratio to the floor's measured in the same turns."""
    runs = {k: median(v) for k, v in turns(cmds, log, repeat).items()}
    floor = runs["floor"]
    for label, r in runs.items():
        print(
            f"{n:>7} {label:<14} {r.seconds:7.2f} {r.cpu:7.2f} {r.peak_mb:6.0f}"
            f"  {r.seconds / floor.seconds:11.2f}x {r.cpu / floor.cpu:11.2f}x"
        )


def turns(cmds: dict[str, list[str]], log: Path, repeat: int) -> dict[str, list[Run]]:
    """Each command once a turn, in order, `repeat` turns."""
    out: dict[str, list[Run]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for label, cmd in cmds.items():
            out[label].append(run(cmd, log))
    return out


def profile_lint(root: Path, work: Path, top: int = 30, args: Sequence[str] = ()) -> list[str]:
    """`kgov lint` (or `kgov ARGS`) under cProfile: its largest costs by own and cumulative time."""
    prof = work / "kgov.prof"
    cmd = scale.profiled(prof, *(args or ("lint", str(root))))
    subprocess.run(cmd, capture_output=True, env=scale.CHILD_ENV, cwd=work)
    lines = []
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(str(prof), stream=text).sort_stats(order).print_stats(top)
        row = re.compile(r"^\s*[\d/]+\s+([\d.]+)\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+([^{].*)$")
        found = [m.groups() for line in text.getvalue().splitlines() if (m := row.match(line))]
        lines.append(
            f"profile of `kgov {(args or ('lint',))[0]}` by {order} "
            "(cProfile; own s, cumulative s, function):"
        )
        lines += [f"  {float(own):7.2f} {float(cum):7.2f}  {where}" for own, cum, where in found]
    return lines


def base_step(work: Path, n: int, args: argparse.Namespace) -> None:
    """`kgov plan --base HEAD` of a git catalog of n topics, --changed of them changed in the
    working tree, against the live cluster: the median of --repeat runs (each a fresh process),
    without the parse cache, with an empty KGOV_CACHE_DIR (cold) and with the one it filled (warm)."""
    repo = work / f"base-{n}"
    if not (repo / ".git").exists():
        shutil.rmtree(repo, ignore_errors=True)
        git_catalog(repo, n, min(args.schemas, n), args.bindings_per_file, args.changed)
    plan = ("plan", "--env", "local", "-c", str(repo / "catalog"), "--base", "HEAD", "--detailed-exitcode")
    log = work / "run.log"
    kgovs = {"": scale.kgov_cmd(*plan)}  # this checkout's kgov, and --compare's
    if args.compare:
        kgovs["compared "] = scale.other_kgov(args.compare, scale.kgov_cmd(*plan))
    out: dict[str, list[Run]] = {}
    for _ in range(args.repeat):  # taking turns: no cache; an empty cache folder; the one just filled
        for who, cmd in kgovs.items():
            cache = work / f"cache-{n}{'-compared' if who else ''}"
            cached = ["env", f"KGOV_CACHE_DIR={cache}", *cmd]
            out.setdefault(f"{who}plan --base", []).append(run(cmd, log, expect=(0, 2)))
            shutil.rmtree(cache, ignore_errors=True)
            out.setdefault(f"{who}  cache cold", []).append(run(cached, log, expect=(0, 2)))
            out.setdefault(f"{who}  cache warm", []).append(run(cached, log, expect=(0, 2)))
    for label, runs in out.items():
        r = median(runs)
        print(f"{n:>7} {label:<22} {r.seconds:7.2f} {r.cpu:7.2f} {r.peak_mb:6.0f}  ({args.changed} changed)")
    if args.compare:  # this kgov against the compared one, each step's medians of the same turns
        for step in ("plan --base", "  cache cold", "  cache warm"):
            mine, theirs = median(out[step]), median(out[f"compared {step}"])
            print(
                f"{n:>7} {step.strip():<22} this / compared: wall {mine.seconds / theirs.seconds:.2f}x,"
                f" cpu {mine.cpu / theirs.cpu:.2f}x"
            )
    if args.profile:
        print("\n".join(profile_lint(repo / "catalog", work, args=plan)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--topics", type=int, nargs="*", default=[100000])
    parser.add_argument("--schemas", type=int, default=1000, help="Avro value subjects (default 1,000)")
    parser.add_argument(
        "--bindings-per-file", type=int, default=100, help="ACL bindings per acls/ file (default 100)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, in turns (the median is shown)")
    parser.add_argument("--compare", metavar="CHECKOUT", help="also time the kgov of another checkout")
    parser.add_argument("--profile", action="store_true", help="profile one kgov lint of each size")
    parser.add_argument("--keep", type=Path, help="write the catalogs here and keep them")
    parser.add_argument(
        "--plan",
        type=int,
        nargs="*",
        default=[],
        metavar="TOPICS",
        help="also time `kgov plan --snapshot` of catalogs of these sizes with --subjects subjects",
    )
    parser.add_argument("--subjects", type=int, default=10000, help="subjects of the --plan catalogs")
    parser.add_argument(
        "--base",
        type=int,
        nargs="*",
        default=[],
        metavar="TOPICS",
        help="also time `kgov plan --base HEAD` (10 topics changed) of catalogs of these sizes against "
        'the live cluster of $KGOV_BOOTSTRAP_PLAINTEXT (eval "$(kgov sandbox env --state-dir ...)")',
    )
    parser.add_argument("--changed", type=int, default=10, help="topics changed for --base (default 10)")
    parser.add_argument("--floor-lint", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-plan", type=Path, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--take-snapshot", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_lint is not None:
        tune_gc()  # the floor's collector set as kgov's (see scale_benchmark.py), and paused while
        with no_cycles():  # it parses, as kgov's is while it reads the catalog (kgov/gcpause.py)
            floor_lint(args.floor_lint)
        return 0
    if args.floor_plan is not None:
        tune_gc()
        with no_cycles():  # as kgov's while it reads the catalog and the snapshot
            floor_plan(*args.floor_plan)
        return 0
    if args.take_snapshot is not None:
        tune_gc()
        take_snapshot(*args.take_snapshot)
        return 0
    if args.base and "KGOV_BOOTSTRAP_PLAINTEXT" not in os.environ:
        parser.error('--base plans against a live cluster: eval "$(kgov sandbox env --state-dir ...)" first')
    os.environ.setdefault("KGOV_BOOTSTRAP_PLAINTEXT", "127.0.0.1:1")  # never connected: no cluster here
    os.environ.setdefault("KGOV_SCHEMA_REGISTRY_URL", "http://127.0.0.1:1")
    scale.CHILD_ENV.update(
        {k: os.environ[k] for k in ("KGOV_BOOTSTRAP_PLAINTEXT", "KGOV_SCHEMA_REGISTRY_URL")}
    )
    print(scale.machine())
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"median of {args.repeat}, each a fresh process (start-up included), taking turns")
    print(f"{'topics':>7} {'step':<14} {'wall s':>7} {'cpu s':>7} {'MB':>6}  wall / floor  cpu / floor")
    with tempfile.TemporaryDirectory(prefix="kgov-large-") as tmp:
        work = args.keep or Path(tmp)
        for n in args.topics:
            root = work / f"catalog-{n}"
            if not root.exists():
                write_catalog(root, n, min(args.schemas, n), args.bindings_per_file)
            log = work / "run.log"
            cmds = {
                "kgov lint": scale.kgov_cmd("lint", str(root)),
                "floor": [sys.executable, str(Path(__file__).resolve()), "--floor-lint", str(root)],
            }
            if args.compare:
                cmds["compared lint"] = scale.other_kgov(args.compare, cmds["kgov lint"])
            against_floor(n, cmds, log, args.repeat)
            if args.profile:
                print("\n".join(profile_lint(root, work)))
        for n in args.plan:
            root = work / f"plan-{n}"
            snap = work / f"plan-{n}.snapshot.json"
            if not snap.exists():
                shutil.rmtree(root, ignore_errors=True)
                made = write_catalog(root, n, min(args.subjects, n), args.bindings_per_file)
                with_registry(root)
                start = time.perf_counter()
                here = [sys.executable, str(Path(__file__).resolve())]
                run([*here, "--take-snapshot", str(root), str(snap)], work / "snapshot.log")
                print(
                    f"{n:>7} set-up: {len(made['principals'])} principals, {len(made['subjects'])} subjects; "
                    "applied to the in-memory twin and snapshot taken in "
                    f"{time.perf_counter() - start:.0f} s "
                    f"({snap.stat().st_size / 2**20:.0f} MiB)"
                )
            log = work / "run.log"
            cmds = {
                "kgov plan": scale.kgov_cmd(
                    "plan", "--env", "local", "-c", str(root), "--snapshot", str(snap), "--detailed-exitcode"
                ),
                "floor": [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--floor-plan",
                    str(root),
                    str(snap),
                ],
            }
            if args.compare:
                cmds["compared plan"] = scale.other_kgov(args.compare, cmds["kgov plan"])
            against_floor(n, cmds, log, args.repeat)
            if args.profile:
                plan_args = ("plan", "--env", "local", "-c", str(root), "--snapshot", str(snap))
                print("\n".join(profile_lint(root, work, args=plan_args)))
        for n in args.base:
            base_step(work, n, args)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
