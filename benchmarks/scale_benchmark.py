"""Scale benchmark: kgov against the floor (and topicctl) on the sandbox's brokers, in one command.

    kgov sandbox up --heap 2g --jit full && eval "$(kgov sandbox env)"
    python benchmarks/scale_benchmark.py [--sizes 100 1000 5000 10000] [--topicctl-max 1000]

    # several brokers (80,000 topics: docs/performance.md "Live, 5 brokers")
    kgov sandbox up --state-dir .kgov/sb5 --port-base 23000 --brokers 5 --heap 2g --jit full
    eval "$(kgov sandbox env --state-dir .kgov/sb5)"
    python benchmarks/scale_benchmark.py --state-dir .kgov/sb5 --sizes 80000 --apply-max 10000

For each size it generates a catalog (100 topics per service file, 1 partition, replication 1,
an explicit retention.ms on every other topic) and measures, each step a fresh process, wall time
from start to exit (start-up included), peak resident memory (the child's maxrss, started from a
small runner process) and the admin requests counted ON THE BROKERS (their kafka.network
RequestMetrics RequestsPerSec meters, read over JMX and summed: the benchmark starts each broker's
local JMX agent with `jcmd`; connection set-up requests, ApiVersions and SASL, and the KRaft
controller's traffic are not counted):

  lint             `kgov lint`                  vs  bare libyaml parsing of the same files
  plan, no change  `kgov plan`                  vs  libyaml parse + one metadata request + every
                                                    DescribeConfigs batch at once (confluent-kafka)
  plan, 10% drift  the same after a direct config change on every 10th topic
  apply, create    `kgov apply --auto-approve`  vs  raw CreateTopics, 1,000 a batch (all at once) + the
                   (plan and wait included)         time until the broker's metadata shows them all
  plan --base      `kgov plan --base HEAD` of a commit that grows 10 topics (a pull request's plan)

Plans and lint are the median of --repeat runs, kgov's and the floor's in turns; apply of
--apply-repeat (default 1), in turns with the floor's creation; above --apply-max topics the
creation is not timed (the topics are created by raw CreateTopics). With topicctl (found on PATH,
in ~/go/bin, or given with --topicctl; v1.21.0 builds from the Go module proxy in a throwaway module:
`go mod init x`, a tools.go importing github.com/segmentio/topicctl/cmd/topicctl, `go mod tidy`,
`go build -o ~/go/bin/topicctl github.com/segmentio/topicctl/cmd/topicctl`) the same steps run for
topicctl on its own copy of the topics, up to --topicctl-max topics, and the end states are compared.
topicctl creates topic by topic and pauses ~2 s after each: above --topicctl-apply-max its copy is
created untimed and only its plans are timed (~8 requests a topic).

Sizing: every partition keeps a file open in its broker, and a deleted topic's files stay open for
file.delete.delay.ms (60 s); before creating topics the benchmark waits until every broker's open
files leave room for its share of the partitions (FILES_PER_PARTITION each, SHARE_MARGIN over the
even share on several brokers) under its open-file limit, and before each timed creation until the
files of deleted topics are gone (no creation shares the brokers with a deletion). On one broker
10,000 topics x 1 partition fit the 20,000 limit of this machine; 5 brokers held 80,000 (where the
sandbox controller's 256 MB heap was full). Run the sandbox with `--heap 2g` for 5,000 topics and more.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kgov.cli import tune_gc

HERE = Path(__file__).resolve().parent
PER_SERVICE = 100
BATCH = 1000  # the benchmark's own set-up requests; the floor uses kgov's batch size (--batch)
RETENTION = "86400000"  # every other topic carries it explicitly
DRIFTED = "3600000"
# A segment file each (kgov/sandbox/capacity.py measured 1,999 files for 2,000 partitions), and slack.
FILES_PER_PARTITION = 1.05
SHARE_MARGIN = 1.05  # several brokers: the most one broker gets of new partitions, over the even share
# Requests that are not admin work: connection set-up and the broker's own KRaft/controller traffic.
NOT_ADMIN = frozenset(
    [
        *("ApiVersions", "SaslHandshake", "SaslAuthenticate", "Fetch", "FetchSnapshot", "BrokerHeartbeat"),
        *("BrokerRegistration", "ControllerRegistration", "Vote", "BeginQuorumEpoch", "EndQuorumEpoch"),
        *("DescribeQuorum", "AlterPartition", "AssignReplicasToDirs", "AddRaftVoter", "RemoveRaftVoter"),
        *("UpdateRaftVoter", "AllocateProducerIds"),
    ]
)


# -- catalogs -----------------------------------------------------------------------------------


def topic_names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i // PER_SERVICE:03d}.e{i:05d}" for i in range(n)]


def has_retention(name: str) -> bool:
    return int(name[-5:]) % 2 == 0


def write_kgov_catalog(root: Path, prefix: str, n: int) -> list[str]:
    names = topic_names(prefix, n)
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text(
        "version: 1\n"
        "policy:\n  partitions: {min: 1, max: 12}\n  replication_factor: {min: 1}\n"
        "  min_insync_replicas: {min: 1}\n"
        "  required: [owner, description]\n"
        "ownership: {protected: ['__*', '_*'], delete: false}\n"
        "environments:\n  local:\n    kafka:\n"
        "      bootstrap_servers: ${env:KGOV_BOOTSTRAP_PLAINTEXT}\n"
        "      security_protocol: PLAINTEXT\n      timeout_ms: 120000\n",
        "utf-8",
    )
    for start in range(0, n, PER_SERVICE):
        service = names[start].split(".")[0]
        lines = [f"service: {service}", f"owner: team-{service}", "topics:"]
        for name in names[start : start + PER_SERVICE]:
            lines += [
                f"  - name: {name}",
                f"    description: Event {name} of the benchmark.",
                "    partitions: 1",
                "    replication_factor: 1",
            ]
            if has_retention(name):
                lines += ["    config:", f"      retention.ms: {RETENTION}"]
        (root / "topics" / f"{service}.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return names


def write_topicctl_configs(root: Path, prefix: str, n: int, bootstrap: str) -> list[str]:
    names = topic_names(prefix, n)
    (root / "topics").mkdir(parents=True)
    (root / "cluster.yaml").write_text(
        "meta:\n  name: bench\n  environment: local\n  region: local\n  description: the sandbox\n"
        "spec:\n  bootstrapAddrs:\n" + "".join(f"    - {b}\n" for b in bootstrap.split(",")),
        "utf-8",
    )
    for name in names:
        retention = f"  retentionMinutes: {int(RETENTION) // 60000}\n" if has_retention(name) else ""
        (root / "topics" / f"{name}.yaml").write_text(
            f"meta:\n  name: {name}\n  cluster: bench\n  environment: local\n  region: local\n"
            f"  description: Event {name} of the benchmark.\n"
            f"spec:\n  partitions: 1\n  replicationFactor: 1\n{retention}"
            "  placement:\n    strategy: any\n",
            "utf-8",
        )
    return names


# -- the floor: child processes doing the least work the same result needs ------------------------


def floor_parse(root: Path) -> list[str]:
    import yaml

    names = []
    yaml.load((root / "kgov.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    for path in sorted((root / "topics").iterdir()):
        doc = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        names += [t["name"] for t in doc["topics"]]
    return names


def _admin(bootstrap: str):  # type: ignore[no-untyped-def]
    from confluent_kafka.admin import AdminClient

    # requests sent all at once (the floor's) wait in the broker's queue past librdkafka's default
    # 60 s socket timeout at 80,000 topics (300 s: its most); the timeout changes nothing else
    return AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 300000})


def floor_plan(root: Path, bootstrap: str, batch: int) -> None:
    from confluent_kafka.admin import ConfigResource, ResourceType

    names = floor_parse(root)
    admin = _admin(bootstrap)
    listed = admin.list_topics(timeout=120).topics
    pending = [
        admin.describe_configs(
            [ConfigResource(ResourceType.TOPIC, n) for n in names[i : i + batch]], request_timeout=290
        )
        for i in range(0, len(names), batch)
    ]
    described = sum(len(f.result()) >= 0 for batch in pending for f in batch.values())
    assert described == len(names) and all(n in listed for n in names)


def floor_create(names: Sequence[str], bootstrap: str, batch: int) -> None:
    from confluent_kafka.admin import NewTopic

    admin = _admin(bootstrap)
    pending = [
        admin.create_topics(
            [
                NewTopic(n, 1, 1, config={"retention.ms": RETENTION} if has_retention(n) else {})
                for n in names[i : i + batch]
            ],
            operation_timeout=280,  # all at once: the last request waits for every earlier one
            request_timeout=290,
        )
        for i in range(0, len(names), batch)
    ]
    for futures in pending:
        for future in futures.values():
            future.result()
    wait_visible(admin, names)


def wait_visible(admin, names: Sequence[str], timeout: float = 300) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        listed = admin.list_topics(timeout=60).topics
        if all(n in listed for n in names):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"{sum(n not in listed for n in names)} topics not visible after {timeout:.0f}s")
        time.sleep(0.2)


# -- the broker: request counts, open files, direct changes ---------------------------------------


class Broker:
    """The sandbox's brokers (one, or 2-5 with `--brokers`): their processes, open files and request
    meters. Request counts are summed over every broker (not the KRaft controller: it answers only
    the brokers); open-file room is checked broker by broker, each taking its share of the partitions."""

    def __init__(self, state_dir: Path, bootstrap: str, work: Path) -> None:
        run_dir = state_dir / "run"
        files = [run_dir / "kafka.pid"] if (run_dir / "kafka.pid").exists() else []
        files = files or sorted(run_dir.glob("broker-*.pid"), key=lambda p: int(p.stem.split("-")[1]))
        if not files:
            raise SystemExit(f"no sandbox broker in {state_dir} (no run/kafka.pid, run/broker-*.pid)")
        self.pids = [int(f.read_text().split()[0]) for f in files]
        self.bootstrap = bootstrap
        self.admin = _admin(bootstrap)
        self.limit = min(self._fd_limit(pid) for pid in self.pids)
        self.jmx_urls = self._jmx(work)
        self.at_start = self.open_files()  # before the benchmark creates (and deletes) anything

    @staticmethod
    def _fd_limit(pid: int) -> int:
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                return int(line.split()[3])
        return 4096

    def open_files(self) -> list[int]:
        """Each broker's open files, in broker order."""
        return [len(os.listdir(f"/proc/{pid}/fd")) for pid in self.pids]

    def _jmx(self, work: Path) -> list[str] | None:
        """Each broker's local JMX address (its agent started by jcmd); None if no JDK tools."""
        if not (shutil.which("jcmd") and shutil.which("javac")):
            return None

        def address(pid: int) -> str | None:
            out = subprocess.run(
                ["jcmd", str(pid), "PerfCounter.print"], capture_output=True, text=True, check=False
            ).stdout
            for line in out.splitlines():
                if line.startswith("sun.management.JMXConnectorServer.address="):
                    return line.split("=", 1)[1].strip('"')
            return None

        urls = []
        for pid in self.pids:
            url = address(pid)
            if url is None:
                subprocess.run(
                    ["jcmd", str(pid), "ManagementAgent.start_local"], capture_output=True, check=False
                )
                url = address(pid)
            if url is None:
                return None
            urls.append(url)
        subprocess.run(["javac", "-d", str(work), str(HERE / "RequestCounts.java")], check=True)
        self.classes = work
        return urls

    def requests(self) -> Counter[str]:
        """Requests received so far, by type, summed over every broker."""
        if self.jmx_urls is None:
            return Counter()
        out = subprocess.run(
            [
                "java",
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                str(self.classes),
                "RequestCounts",
                *self.jmx_urls,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return Counter({k: int(v) for k, v in (line.split() for line in out.splitlines())})

    def share(self, partitions: int) -> int:
        """The most single-replica partitions one broker may get of `partitions` new ones: Kafka
        places each at a broker of its choosing, so a margin over the even share."""
        if len(self.pids) == 1:
            return partitions
        return int(partitions / len(self.pids) * SHARE_MARGIN) + 100

    def room_for(self, partitions: int, timeout: float = 400) -> None:
        """Wait until every broker's open files leave room for its share of `partitions` more
        (FILES_PER_PARTITION each)."""
        need = FILES_PER_PARTITION * self.share(partitions)
        deadline = time.monotonic() + timeout
        while max(self.open_files()) + need > 0.95 * self.limit:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"the brokers hold {self.open_files()} open files (limit {self.limit} each); "
                    f"no room for {partitions} more partitions"
                )
            time.sleep(2)

    def settle(self, files: Sequence[int]) -> None:
        """Wait until no broker holds more than its `files` open files (and a little): the files of
        deleted topics are gone, and so is the work of deleting them (file.delete.delay.ms, 60 s).
        Both creations are timed on brokers that delete nothing: whichever ran right after a mass
        delete shared the broker with it (5,000 creations took kgov 20.0 s that way, 12.0 s alone).
        Waits 180 s at most, or longer for many files (a broker deletes some 100 topics a second)."""
        excess = max(now - then for now, then in zip(self.open_files(), files, strict=True))
        timeout = max(180.0, excess / 50)
        deadline = time.monotonic() + timeout
        while any(now > then + 100 for now, then in zip(self.open_files(), files, strict=True)):
            if time.monotonic() > deadline:  # go on, but say so: the next creation may be slower
                print(f"  (the brokers still hold {self.open_files()} open files after {timeout:.0f} s)")
                return
            time.sleep(2)

    def create(self, names: Sequence[str]) -> None:
        """Create `names` (untimed), 10 requests of BATCH at a time: all at once, the last ones
        waited past librdkafka's 60 s socket timeout at 80,000 topics."""
        from confluent_kafka.admin import NewTopic

        step = 10 * BATCH
        for start in range(0, len(names), step):
            chunk = names[start : start + step]
            pending = [
                self.admin.create_topics(
                    [
                        NewTopic(n, 1, 1, config={"retention.ms": RETENTION} if has_retention(n) else {})
                        for n in chunk[i : i + BATCH]
                    ],
                    operation_timeout=120,
                )
                for i in range(0, len(chunk), BATCH)
            ]
            for futures in pending:
                for future in futures.values():
                    future.result()
        self.visible(names)

    def visible(self, names: Sequence[str]) -> None:
        """Wait until each broker's metadata shows `names`: a broker still catching up with the
        controller answers a plan's metadata request without some (80,000 topics on 5 brokers: a
        kgov plan right after the creation saw 3,000 missing)."""
        for address in self.bootstrap.split(","):
            wait_visible(_admin(address), names)

    def delete(self, names: Sequence[str]) -> None:
        for i in range(0, len(names), BATCH):
            for future in self.admin.delete_topics(
                list(names[i : i + BATCH]), operation_timeout=120
            ).values():
                try:
                    future.result()
                except Exception as exc:  # a topic a failed step never created: clean up the rest
                    if "UNKNOWN_TOPIC" not in str(exc):
                        raise

    def drift(self, names: Sequence[str]) -> int:
        from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, ResourceType

        changed = [n for n in names if int(n[-5:]) % 10 == 0]
        for i in range(0, len(changed), BATCH):
            resources = [
                ConfigResource(
                    ResourceType.TOPIC,
                    n,
                    incremental_configs=[
                        ConfigEntry("retention.ms", DRIFTED, incremental_operation=AlterConfigOpType.SET)
                    ],
                )
                for n in changed[i : i + BATCH]
            ]
            for future in self.admin.incremental_alter_configs(resources).values():
                future.result()
        return len(changed)

    def state(self, names: Sequence[str]) -> dict[str, tuple[int, int, tuple[tuple[str, str], ...]]]:
        """Per topic: partitions, replication factor and its explicit configs."""
        from confluent_kafka.admin import ConfigResource, ConfigSource, ResourceType

        listed = self.admin.list_topics(timeout=60).topics
        out = {}
        for i in range(0, len(names), BATCH):
            batch = self.admin.describe_configs(
                [ConfigResource(ResourceType.TOPIC, n) for n in names[i : i + BATCH]]
            )
            for resource, future in batch.items():
                configs = tuple(
                    sorted(
                        (e.name, e.value)
                        for e in future.result().values()
                        if e.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
                    )
                )
                topic = listed[resource.name]
                replicas = max(len(p.replicas) for p in topic.partitions.values())
                out[resource.name] = (len(topic.partitions), replicas, configs)
        return out


# -- measuring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    requests: int | None
    detail: str
    code: int


# Runs each timed command and reports (seconds, maxrss KiB, exit code), one JSON line each. A separate
# small process: Linux keeps a process's peak RSS across fork and exec, so a child of the benchmark
# itself (hundreds of MB after listing 80,000 topics) would report at least the benchmark's size.
RUNNER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    cmd, log, env = json.loads(line)
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    print(json.dumps([seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]), flush=True)
"""


class Runner:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def __call__(self, cmd: Sequence[str], log: Path) -> tuple[float, int, int]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([list(cmd), str(log), CHILD_ENV]) + "\n")
        self.proc.stdin.flush()
        seconds, maxrss, code = json.loads(self.proc.stdout.readline())
        return float(seconds), int(maxrss), int(code)


RUN: Runner | None = None  # started first thing in main(), while the benchmark is small


def run(broker: Broker, cmd: Sequence[str], log: Path, expect: Sequence[int] = (0,)) -> Run:
    before = broker.requests()
    assert RUN is not None
    seconds, maxrss, code = RUN(cmd, log)
    if code not in expect:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(cmd[:6])} ... exited {code} (expected {list(expect)}):\n{tail}")
    delta = broker.requests() - before if broker.jmx_urls else None
    admin = {k: v for k, v in (delta or {}).items() if k not in NOT_ADMIN}
    return Run(
        seconds,
        maxrss / 1024,
        sum(admin.values()) if delta is not None else None,
        " ".join(f"{k}:{v}" for k, v in sorted(admin.items())),
        code,
    )


# Byte-compiled modules, as an installed kgov has them: with PYTHONDONTWRITEBYTECODE set (this
# machine sets it), every run of a checkout would compile kgov's modules again.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median(broker: Broker, cmd: Sequence[str], log: Path, repeat: int, expect: Sequence[int] = (0,)) -> Run:
    return middle([run(broker, cmd, log, expect) for _ in range(repeat)])


def in_turns(
    broker: Broker, cmds: Sequence[Sequence[str]], log: Path, repeat: int, expect: Sequence[int] = (0,)
) -> list[list[Run]]:
    """Each command `repeat` times, in turns (one run of each, then again): on a shared machine the
    load drifts over minutes, and runs of one command after the other would meet different loads."""
    runs: list[list[Run]] = [[] for _ in cmds]
    for _ in range(repeat):
        for cmd, out in zip(cmds, runs, strict=True):
            out.append(run(broker, cmd, log, expect))
    return runs


def each_turn(what: str, kgov: Sequence[Run], floor: Sequence[Run]) -> str:
    return f"{what}, each turn (kgov / floor s): " + ", ".join(
        f"{k.seconds:.2f} / {f.seconds:.2f}" for k, f in zip(kgov, floor, strict=True)
    )


def middle(runs: Sequence[Run]) -> Run:
    """The median run by time, with the highest peak memory of them all."""
    mid = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    return Run(mid.seconds, max(r.peak_mb for r in runs), mid.requests, mid.detail, mid.code)


def kgov_batch() -> int:
    """kgov's resources per admin request: the floor sends the same number of requests."""
    from kgov.cluster.kafka.adapter.base import BATCH as KGOV_BATCH

    return KGOV_BATCH


def self_cmd(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def kgov_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kgov", *args]


def other_kgov(path: str, cmd: Sequence[str]) -> list[str]:
    """`cmd` run with the kgov of another checkout (--compare): env PYTHONPATH=<it> python -m kgov ..."""
    return ["env", f"PYTHONPATH={path}", *cmd]


def fmt(r: Run | None) -> str:
    if r is None:
        return f"{'—':>8} {'':>6} {'':>6}"
    req = "n/a" if r.requests is None else str(r.requests)
    return f"{r.seconds:8.2f} {r.peak_mb:6.0f} {req:>6}"


def machine() -> str:
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown CPU",
    )
    gib = int(mem.split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} CPUs ({cpu}), {gib:.0f} GiB memory, Python {sys.version.split()[0]}"


def nodes(brokers: int) -> str:
    return "one KRaft node" if brokers == 1 else f"{brokers} brokers and a KRaft controller"


def find_topicctl(given: str | None) -> str | None:
    for candidate in (given, shutil.which("topicctl"), str(Path.home() / "go" / "bin" / "topicctl")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def measure_size(n: int, broker: Broker, work: Path, args: argparse.Namespace, tctl: str | None) -> list[str]:
    tag = uuid.uuid4().hex[:4]
    kroot, troot = work / f"kgov-{n}", work / f"topicctl-{n}"
    knames = write_kgov_catalog(kroot, f"k{tag}s", n)
    with_tctl = tctl is not None and n <= args.topicctl_max
    tbin = tctl or "topicctl"
    tnames = write_topicctl_configs(troot, f"t{tag}s", n, broker.bootstrap) if with_tctl else []
    fnames = topic_names(f"f{tag}s", n)
    log = work / "last.log"
    batch = ("--batch", str(kgov_batch()))
    rows: dict[str, tuple[Run | None, Run | None, Run | None]] = {}
    notes: list[str] = []
    try:
        lint_cmds = [kgov_cmd("lint", str(kroot)), self_cmd("--floor-parse", str(kroot))]
        if args.compare:
            lint_cmds.append(other_kgov(args.compare, kgov_cmd("lint", str(kroot))))
        lints = in_turns(broker, lint_cmds, log, args.repeat)
        parse = middle(lints[1])
        rows["lint"] = (middle(lints[0]), parse, None)
        if args.compare:
            rows["lint, --compare kgov"] = (middle(lints[2]), parse, None)

        floors, applies = [], []
        timed = n <= args.apply_max
        if not timed:  # the plans' topics, created untimed (and the same way as the floor's)
            broker.settle(broker.at_start)
            broker.room_for(n + len(tnames))
            broker.create(knames)
            notes.append(f"apply, create: not timed above --apply-max {args.apply_max} (raw CreateTopics)")
        for turn in range(args.apply_repeat if timed else 0):  # in turns: the broker's pace drifts
            if turn:
                broker.delete(knames)
            broker.settle(broker.at_start)  # an earlier size's (or turn's) topics are deleted by now
            broker.room_for(n)
            quiet = broker.open_files()
            floors.append(run(broker, self_cmd("--floor-create", f"f{tag}s", str(n)), log))
            broker.delete(fnames)
            broker.settle(quiet)
            broker.room_for(n + len(tnames))
            applies.append(
                run(broker, kgov_cmd("apply", "--env", "local", "-c", str(kroot), "--auto-approve"), log)
            )
        create_floor, apply = (middle(floors), middle(applies)) if timed else (None, None)
        if args.apply_repeat > 1 and timed:
            turns = zip(applies, floors, strict=True)
            each = ", ".join(f"{a.seconds:.2f} / {f.seconds:.2f}" for a, f in turns)
            notes.append(f"apply, create, each turn (kgov / floor s): {each}")
        tapply = None
        if with_tctl and n > args.topicctl_apply_max:  # topic by topic, 2 s each: its plans only
            broker.create(tnames)
            notes.append(
                f"topicctl's topics created by raw CreateTopics above --topicctl-apply-max "
                f"{args.topicctl_apply_max} (it pauses ~2 s after each creation); its plans are timed"
            )
        elif with_tctl:
            tapply = run(
                broker,
                [tbin, "apply", "--skip-confirm", *map(str, sorted((troot / "topics").iterdir()))],
                log,
            )
            kstate, tstate = broker.state(knames), broker.state(tnames)
            same = all(kstate[k] == tstate[t] for k, t in zip(knames, tnames, strict=True))
            notes.append(
                f"end state after apply: kgov's and topicctl's topics "
                f"{'identical' if same else 'DIFFER'} ({n} each: partitions, replicas, explicit configs)"
            )
        if timed or tapply:
            rows["apply, create"] = (apply, create_floor, tapply)
        broker.visible(knames)  # apply waits 30 s at most: at 10,000 the broker may still be catching up

        plan_cmd = kgov_cmd("plan", "--env", "local", "-c", str(kroot), "--detailed-exitcode")
        plan_cmds = [plan_cmd, self_cmd("--floor-plan", str(kroot), *batch)]
        if args.compare:
            plan_cmds.append(other_kgov(args.compare, plan_cmd))
        plans = in_turns(broker, plan_cmds, log, args.repeat)
        plan, plan_floor = middle(plans[0]), middle(plans[1])
        if args.repeat > 1:
            notes.append(each_turn("plan, no changes", plans[0], plans[1]))
        tplan = None
        if with_tctl:
            tfiles = [str(p) for p in sorted((troot / "topics").iterdir())]
            tplan = run(broker, [tbin, "apply", "--dry-run", "--skip-confirm", *tfiles], log)
        rows["plan, no changes"] = (plan, plan_floor, tplan)
        if args.compare:
            rows["plan, --compare kgov"] = (middle(plans[2]), plan_floor, None)
        if args.profile and n == max(args.sizes):
            notes += profile_plan(kroot, work)

        drifted = broker.drift(knames)
        tdrift = None
        if with_tctl:
            broker.drift(tnames)
            tdrift = run(broker, [tbin, "apply", "--dry-run", "--skip-confirm", *tfiles], log)
        drifts = in_turns(broker, plan_cmds, log, args.repeat, (0, 2))  # the floor exits 0, kgov 2
        if any(r.code != 2 for i, runs in enumerate(drifts) if i != 1 for r in runs):  # kgov's runs
            raise SystemExit("kgov plan found no drift after the direct config changes")
        drift, drift_floor = middle(drifts[0]), middle(drifts[1])
        if args.repeat > 1:
            notes.append(each_turn("plan, 10% drift", drifts[0], drifts[1]))
        rows[f"plan, 10% drift ({drifted})"] = (drift, drift_floor, tdrift)
        if args.compare:
            rows["drift, --compare kgov"] = (middle(drifts[2]), drift_floor, None)
        rows["plan --base, 10 changed"] = (scoped_plan(kroot, broker, log, args.repeat), None, None)
    finally:
        broker.delete([*knames, *tnames])
    out = []
    for step, (kgov, floor, other) in rows.items():
        ratio = f"{kgov.seconds / floor.seconds:5.2f}x" if kgov and floor else ""
        out.append(f"{n:>6} {step:<24} {fmt(kgov)} | {fmt(floor)} | {ratio:>6} | {fmt(other)}")
    for r, what in (
        (rows.get("plan, no changes", (None,))[0], "kgov plan"),
        (rows.get("apply, create", (None,))[0], "kgov apply"),
        (next((v[0] for k, v in rows.items() if k.startswith("plan, 10% drift")), None), "kgov plan, drift"),
        (rows.get("plan --base, 10 changed", (None,))[0], "kgov plan --base"),
    ):
        if r is not None and r.detail:
            notes.append(f"{what} requests: {r.detail}")
    return out + [f"{'':>6}   {note}" for note in notes]


def scoped_plan(root: Path, broker: Broker, log: Path, repeat: int) -> Run:
    """`kgov plan --base HEAD` of a pull request that grows 10 topics (1 → 2 partitions) in the
    generated catalog, committed as the base: the whole catalog is linted, the cluster read for 10."""
    git = ["git", "-C", str(root), "-c", "user.email=bench@kgov", "-c", "user.name=bench"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    first = sorted((root / "topics").iterdir())[0]
    first.write_text(first.read_text("utf-8").replace("partitions: 1", "partitions: 2", 10), "utf-8")
    cmd = kgov_cmd("plan", "--env", "local", "-c", str(root), "--base", "HEAD", "--detailed-exitcode")
    return median(broker, cmd, log, repeat, (2,))


def profiled(out: Path, *args: str) -> list[str]:
    """`kgov ARGS` (a line kgov runs without typer) under cProfile, its statistics saved to `out`.
    Not `python -m cProfile -m kgov`: kgov ends with os._exit, before cProfile would save them."""
    code = (
        "import cProfile, sys\nfrom kgov import cli\ncli.tune_gc()\n"
        f"cProfile.run('cli.fast(sys.argv[1:])', {str(out)!r})\n"
    )
    return [sys.executable, "-c", code, *args]


def profile_plan(root: Path, work: Path) -> list[str]:
    """`kgov plan` under cProfile: its largest cumulative costs, one line each."""
    import io
    import pstats

    out = work / "plan.prof"
    subprocess.run(profiled(out, "plan", "--env", "local", "-c", str(root)), check=True, capture_output=True)
    text = io.StringIO()
    pstats.Stats(str(out), stream=text).sort_stats("cumulative").print_stats(25)
    row = re.compile(r"^\s*[\d/]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+([^{].*)$")
    found = [m.groups() for line in text.getvalue().splitlines() if (m := row.match(line))]
    return ["profile of `kgov plan` (cProfile; cumulative s, function):"] + [
        f"  {float(cum):7.2f}  {where}" for cum, where in found
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per plan and lint (the median is shown)")
    parser.add_argument("--state-dir", type=Path, default=Path(".kgov/sandbox"), help="the sandbox's folder")
    parser.add_argument(
        "--apply-repeat",
        type=int,
        default=1,
        help="creations per size, the floor's and kgov's in turns (the median is shown; each turn "
        "waits about a minute for the broker to finish deleting the last one's topics)",
    )
    parser.add_argument("--topicctl", help="the topicctl binary (default: PATH, then ~/go/bin)")
    parser.add_argument(
        "--apply-max",
        type=int,
        default=10**9,
        help="largest size to time `apply, create` at (above it the topics are created untimed)",
    )
    parser.add_argument("--topicctl-max", type=int, default=1000, help="largest size to run topicctl at")
    parser.add_argument(
        "--topicctl-apply-max",
        type=int,
        default=10**9,
        help="largest size to time topicctl's apply at (above it its topics are created untimed)",
    )
    parser.add_argument(
        "--compare",
        metavar="PATH",
        help="also run lint and plan with the kgov of this checkout (before/after)",
    )
    parser.add_argument("--profile", action="store_true", help="profile kgov plan at the largest size")
    parser.add_argument("--floor-parse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-create", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=BATCH, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The floors run with kgov's garbage collector settings: the ratios compare the work done, not a
    # setting either side can make in one line (with Python's defaults the floor's plan of 10,000
    # topics took 5.0 s, against kgov's 3.2 s).
    tune_gc()
    bootstrap = os.environ.get("KGOV_BOOTSTRAP_PLAINTEXT")
    if args.floor_parse:
        floor_parse(args.floor_parse)
        return 0
    if bootstrap is None:
        print('run `eval "$(kgov sandbox env)"` first', file=sys.stderr)
        return 1
    if args.floor_plan:
        floor_plan(args.floor_plan, bootstrap, args.batch)
        return 0
    if args.floor_create:
        floor_create(topic_names(args.floor_create[0], int(args.floor_create[1])), bootstrap, args.batch)
        return 0
    tctl = find_topicctl(args.topicctl)
    global RUN
    RUN = Runner()
    with tempfile.TemporaryDirectory(prefix="kgov-scale-") as tmp:
        work = Path(tmp)
        broker = Broker(args.state_dir, bootstrap, work)
        print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}")
        print(
            f"broker: the kgov sandbox (Kafka 4.3.1, {nodes(len(broker.pids))}) at {bootstrap}; "
            f"open-file limit {broker.limit} per broker; requests counted "
            + (
                f"on the broker{'s' * (len(broker.pids) > 1)} (JMX RequestMetrics)"
                if broker.jmx_urls
                else "n/a (no jcmd/javac)"
            )
        )
        print(
            "topicctl: "
            + (f"{tctl} (up to {args.topicctl_max} topics)" if tctl else "not found: its column is empty")
        )
        print(
            f"each size: {PER_SERVICE} topics per service file, 1 partition, replication 1; "
            f"plans and lint: median of {args.repeat}"
        )
        print()
        print(
            f"{'topics':>6} {'step':<24} {'kgov s':>8} {'MB':>6} {'req':>6} | {'floor s':>8} {'MB':>6} "
            f"{'req':>6} | {'ratio':>6} | {'topicctl':>8} {'MB':>6} {'req':>6}"
        )
        for n in args.sizes:
            for line in measure_size(n, broker, work, args, tctl):
                print(line, flush=True)
        print(f"load average at the end {os.getloadavg()[0]:.1f} (other work slows every column)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
