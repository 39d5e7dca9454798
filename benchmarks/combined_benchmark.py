"""Combined full plan: topics, ACL bindings and subjects in one catalog, kgov against the floor.

    kgov sandbox up --heap 2g --jit full && eval "$(kgov sandbox env)"
    python benchmarks/combined_benchmark.py [--topics 10000] [--bindings 10000] [--subjects 1000]

Generates a catalog (scale_benchmark's topics: 100 per service file, 1 partition; one acls/ file per
principal with 10 bindings: 2 produces, 2 consumes, 1 group, 1 prefixed grant; an Avro value subject
for each of the first --subjects topics), applies it with `kgov apply --auto-approve` (set-up: its
time is printed, not a target) and waits until the broker and the registry show all of it. Then,
each a fresh process, the median of --repeat runs of:

  kgov plan   `kgov plan --env local -c DIR --detailed-exitcode` (no changes: exit 0)
  floor       a bare script: libyaml parse of the same files (and json of the schemas), one
              Metadata request, every DescribeConfigs batch at once (kgov's batch size), one
              DescribeAcls with a match-all filter (confluent-kafka), and the registry reads kgov
              makes (the paged listing, then the latest version and the effective level of each
              subject) over keep-alive http.client connections, kgov's concurrency at once, all of
              it overlapped with the broker's answers

with wall time (start-up included), peak RSS (the child's maxrss), admin requests counted on the
broker (scale_benchmark's JMX RequestMetrics) and HTTP requests counted by the registry (Apicurio's
rest_requests_seconds_count on its management port). Everything the benchmark created (topics,
ACLs, subjects) is deleted at the end, also after a failure.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import scale_benchmark as scale

from kgov.cli import tune_gc

HERE = Path(__file__).resolve().parent
BINDINGS_PER_PRINCIPAL = 10
PAGE = 1000  # subjects per listing page, as kgov (kgov/cluster/registry/adapter.py)
HEADERS = {"Accept": "application/vnd.schemaregistry.v1+json, application/json"}


# -- the catalog ----------------------------------------------------------------------------------


def subject_of(topic: str) -> str:
    return f"{topic}-value"


def avro(i: int) -> str:
    fields = [{"name": "id", "type": "string"}, {"name": "n", "type": "long"}]
    return json.dumps({"type": "record", "name": f"Event{i}", "namespace": "bench", "fields": fields})


def write_catalog(
    root: Path, tag: str, topics: int, principals: int, subjects: int
) -> tuple[list[str], list[str], list[str]]:
    """scale_benchmark's topics, plus subjects on the first topics and acls/ files; the names made."""
    names = scale.write_kgov_catalog(root, f"k{tag}s", topics)
    settings = root / "kgov.yaml"
    settings.write_text(
        settings.read_text("utf-8") + "    schema_registry:\n      url: ${env:KGOV_SCHEMA_REGISTRY_URL}\n",
        "utf-8",
    )
    with_schema = set(names[:subjects])
    (root / "schemas").mkdir()
    for i, name in enumerate(names[:subjects]):
        (root / "schemas" / f"{subject_of(name)}.avsc").write_text(avro(i) + "\n", "utf-8")
    for path in (root / "topics").iterdir():
        lines = []
        for line in path.read_text("utf-8").splitlines():
            lines.append(line)
            if line.startswith("  - name: ") and line[10:] in with_schema:
                lines.append(f"    value_schema: {subject_of(line[10:])}")
        path.write_text("\n".join(lines) + "\n", "utf-8")
    (root / "acls").mkdir()
    services = [f"k{tag}a{p:04d}" for p in range(principals)]
    for p, svc in enumerate(services):
        t = [names[(4 * p + j) % len(names)] for j in range(4)]
        (root / "acls" / f"{svc}.yaml").write_text(
            f"service: {svc}\nowner: team-{svc}\nprincipal: User:{svc}\n"
            f"produces: [{t[0]}, {t[1]}]\nconsumes: [{t[2]}, {t[3]}]\nconsumer_groups: [{svc}]\n"
            "acls:\n"
            f"  - {{resource: topic, name: '{svc}.', pattern: prefixed, operations: [describe_configs]}}\n",
            "utf-8",
        )
    return names, [f"User:{s}" for s in services], [subject_of(n) for n in names[:subjects]]


# -- the registry: a keep-alive client per thread, and its request counter ------------------------


class Registry:
    def __init__(self, url: str, metrics: str | None) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.base = parts.hostname or "127.0.0.1", parts.port, parts.path.rstrip("/")
        self.metrics = metrics
        self._local = threading.local()

    def call(self, method: str, path: str) -> tuple[int, Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request(method, self.base + path, headers=HEADERS)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def listing(self) -> list[str]:
        out: list[str] = []
        while True:  # as kgov: a registry that ignores offset/limit repeats its first page
            page = self.call("GET", f"/subjects?offset={len(out)}&limit={PAGE}")[1]
            fresh = [s for s in page if s not in set(out)]
            out += fresh
            if len(page) != PAGE or len(fresh) < len(page):
                return out

    def requests(self) -> int | None:
        """Requests the registry has served on its REST API (Apicurio's Micrometer counter)."""
        if self.metrics is None:
            return None
        parts = urlsplit(self.metrics)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        conn.request("GET", parts.path)
        text = conn.getresponse().read().decode()
        conn.close()
        return int(
            sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("rest_requests_seconds_count{") and 'path="/apis/' in line
            )
        )


def registry_metrics(state_dir: Path) -> str | None:
    try:
        ports = json.loads((state_dir / "sandbox.json").read_text())["ports"]
        return f"http://127.0.0.1:{ports['registry_management']}/metrics"
    except (OSError, KeyError, ValueError):
        return None


# -- the floor: the least work the same answer needs ----------------------------------------------
# (kgov reads the registry's listing first, for the subjects of owned prefixes; a catalog without
# `ownership.delete` has none, so the floor reads the named subjects without waiting for it)


def floor_plan(root: Path, bootstrap: str, registry_url: str, batch: int, workers: int) -> None:
    import yaml
    from confluent_kafka.admin import ConfigResource, ResourceType

    start = time.perf_counter()
    names = scale.floor_parse(root)
    principals = [
        yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)["principal"]
        for p in sorted((root / "acls").iterdir())
    ]
    schemas = {p.name[: -len(".avsc")]: json.loads(p.read_bytes()) for p in (root / "schemas").iterdir()}
    parsed = time.perf_counter()
    registry = Registry(registry_url, None)
    answered: list[float] = []  # when each broker answer came

    def subject(s: str) -> bool | None:
        status, latest = registry.call("GET", f"/subjects/{quote(s, safe='')}/versions/latest")
        registry.call("GET", f"/config/{quote(s, safe='')}?defaultToGlobal=true")
        return None if status == 404 else json.loads(latest["schema"]) == schemas[s]

    with ThreadPoolExecutor(workers) as pool:
        # The registry first, without waiting for its listing (a subject it lacks answers 404): its
        # reads run while the broker answers.
        listed_subjects = pool.submit(registry.listing)
        read = [pool.submit(subject, s) for s in schemas]
        admin = scale._admin(bootstrap)
        configs = [
            admin.describe_configs(
                [ConfigResource(ResourceType.TOPIC, n) for n in names[i : i + batch]], request_timeout=120
            )
            for i in range(0, len(names), batch)
        ]
        acls = admin.describe_acls(acl_filter(None), request_timeout=120)
        for future in [acls, *(f for b in configs for f in b.values())]:
            future.add_done_callback(lambda _: answered.append(time.perf_counter()))
        listed = admin.list_topics(timeout=120).topics
        answered.append(time.perf_counter())
        present = set(listed_subjects.result())
        same = [f.result() for f in read]
        registry_done = time.perf_counter()
    described = sum(len(f.result()) >= 0 for b in configs for f in b.values())
    granted = {b.principal for b in acls.result()}
    assert described == len(names) and all(n in listed for n in names), "topics missing"
    assert granted >= set(principals), "bindings missing"
    assert all(same) and present >= set(schemas), "subjects missing or different"
    print(
        f"floor, from its start: files parsed at {parsed - start:.2f} s, the broker's last answer at "
        f"{max(answered) - start:.2f} s, the registry's at {registry_done - start:.2f} s"
    )


# -- set-up and clean-up ---------------------------------------------------------------------------


def wait_until(what: str, done: Any, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} not visible after {timeout:.0f}s")
        time.sleep(0.5)


def acl_filter(principal: str | None) -> Any:
    """Every binding of `principal`, or every binding at all (None)."""
    from confluent_kafka.admin import AclBindingFilter, AclOperation, AclPermissionType
    from confluent_kafka.admin import ResourcePatternType as Pattern
    from confluent_kafka.admin import ResourceType as Type

    new: Any = AclBindingFilter  # None matches any name and host, which its stubs do not say
    return new(Type.ANY, None, Pattern.ANY, principal, None, AclOperation.ANY, AclPermissionType.ANY)


def bindings_of(broker: scale.Broker, principals: Sequence[str]) -> int:
    wanted = set(principals)
    return sum(b.principal in wanted for b in broker.admin.describe_acls(acl_filter(None)).result())


@contextmanager
def cleaned(
    broker: scale.Broker, registry: Registry, made: tuple[list[str], list[str], list[str]]
) -> Iterator[None]:
    names, principals, subjects = made
    try:
        yield
    finally:
        print("clean-up: deleting the benchmark's topics, ACL bindings and subjects ...", flush=True)
        broker.delete(names)
        for i in range(0, len(principals), scale.BATCH):
            for future in broker.admin.delete_acls(
                [acl_filter(p) for p in principals[i : i + scale.BATCH]]
            ).values():
                future.result()

        def forget(s: str) -> str | None:
            """None once the subject is gone; else why not (a busy registry may time out: a request
            is tried three times on a fresh connection, and what is left is listed, not raised)."""
            for how in ("", "?permanent=true"):
                for attempt in range(3):
                    try:
                        registry.call("DELETE", f"/subjects/{quote(s, safe='')}{how}")
                        break
                    except (OSError, http.client.HTTPException) as exc:
                        registry.drop_connection()
                        if attempt == 2:
                            return f"{s}: {type(exc).__name__}"
            return None

        with ThreadPoolExecutor(8) as pool:
            left = [why for why in pool.map(forget, subjects) if why is not None]
        if left:
            print(f"clean-up: {len(left)} subjects not deleted, e.g. {left[0]}; delete them by hand")


# -- measuring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    run: scale.Run
    http: int | None


def measure(
    broker: scale.Broker, registry: Registry, cmds: dict[str, list[str]], work: Path, repeat: int
) -> dict[str, Measured]:
    """Each command `repeat` times, taking turns (a load that comes and goes hits all of them); the
    median run of each, with the largest peak memory of its runs. Each command's output: work/<name>.log."""
    runs: dict[str, list[Measured]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            before = registry.requests()
            r = scale.run(broker, cmd, work / f"{name}.log")
            after = registry.requests()
            runs[name].append(Measured(r, None if before is None or after is None else after - before))
    out = {}
    for name, measured in runs.items():
        mid = sorted(measured, key=lambda m: m.run.seconds)[len(measured) // 2]
        peak = max(m.run.peak_mb for m in measured)
        run = scale.Run(mid.run.seconds, peak, mid.run.requests, mid.run.detail, mid.run.code)
        out[name] = Measured(run, mid.http)
    return out


def row(what: str, m: Measured) -> str:
    http = "n/a" if m.http is None else str(m.http)
    return f"{what:<12} {scale.fmt(m.run)} {http:>6}"


def profile_plan(root: Path, work: Path) -> list[str]:
    """One `kgov plan` under cProfile: kgov's largest cumulative costs, then the largest own times."""
    out = work / "plan.prof"
    cmd = scale.profiled(out, "plan", "--env", "local", "-c", str(root))
    subprocess.run(cmd, check=True, capture_output=True)
    row = re.compile(r"^\s*([\d/]+)\s+([\d.]+)\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+(\S.*)$")
    lines = []
    for key, where, count in (("cumulative", r"/kgov/", 30), ("tottime", "", 15)):
        text = io.StringIO()
        pstats.Stats(str(out), stream=text).sort_stats(key).print_stats(where, count)
        lines.append(f"profile of one `kgov plan` (cProfile), by {key}: calls, own s, cumulative s, function")
        for m in filter(None, map(row.match, text.getvalue().splitlines())):
            calls, own, cum, func = m.groups()
            lines.append(
                f"  {calls:>10} {float(own):7.2f} {float(cum):7.2f}  {func.replace(str(HERE.parent), '.')}"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--topics", type=int, default=10000)
    parser.add_argument("--bindings", type=int, default=10000, help=f"{BINDINGS_PER_PRINCIPAL} a principal")
    parser.add_argument("--subjects", type=int, default=1000, help="at most --topics")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each plan (the median is shown)")
    parser.add_argument("--state-dir", type=Path, default=Path(".kgov/sandbox"), help="the sandbox's folder")
    parser.add_argument("--profile", action="store_true", help="also profile one `kgov plan` (cProfile)")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="the registry that far away (registry_benchmark's proxy)",
    )
    parser.add_argument("--compare", metavar="PATH", help="also time the plan of the kgov of this checkout")
    parser.add_argument("--floor-plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=1000, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=8, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tune_gc()  # the floor's collector set as kgov's (see scale_benchmark.py)
    bootstrap, url = os.environ.get("KGOV_BOOTSTRAP_PLAINTEXT"), os.environ.get("KGOV_SCHEMA_REGISTRY_URL")
    if bootstrap is None or url is None:
        print('run `eval "$(kgov sandbox env)"` first', file=sys.stderr)
        return 1
    if args.floor_plan:
        floor_plan(args.floor_plan, bootstrap, url, args.batch, args.workers)
        return 0
    from kgov.cluster.registry.adapter import CONCURRENCY

    if args.latency_ms:  # for the children too: kgov and the floor both reach the registry through it
        from registry_benchmark import delaying_proxy

        url = os.environ["KGOV_SCHEMA_REGISTRY_URL"] = delaying_proxy(url, args.latency_ms / 2000)

    principals = max(1, args.bindings // BINDINGS_PER_PRINCIPAL)
    subjects = min(args.subjects, args.topics)
    registry = Registry(url, registry_metrics(args.state_dir))
    with tempfile.TemporaryDirectory(prefix="kgov-combined-") as tmp:
        work = Path(tmp)
        broker = scale.Broker(args.state_dir, bootstrap, work)
        root, log = work / "catalog", work / "last.log"
        made = write_catalog(root, uuid.uuid4().hex[:4], args.topics, principals, subjects)
        print(f"machine: {scale.machine()}; load average at start {os.getloadavg()[0]:.1f}")
        print(
            f"catalog: {args.topics} topics ({scale.PER_SERVICE} a file), "
            f"{principals * BINDINGS_PER_PRINCIPAL} ACL bindings ({principals} principals), "
            f"{subjects} Avro subjects; broker {bootstrap} "
            f"(requests {'on the broker, JMX' if broker.jmx_url else 'n/a'}), registry {url} "
            f"(requests {'counted by the registry' if registry.metrics else 'n/a'})"
        )
        if args.latency_ms:
            print(f"registry reached through a local proxy adding {args.latency_ms:g} ms a round trip")
        with cleaned(broker, registry, made):
            names, principal_names, subject_names = made
            broker.room_for(args.topics)
            start = time.perf_counter()
            scale.run(
                broker, scale.kgov_cmd("apply", "--env", "local", "-c", str(root), "--auto-approve"), log
            )
            applied = time.perf_counter() - start
            broker.visible(names)
            expected = principals * BINDINGS_PER_PRINCIPAL
            wait_until("bindings", lambda: bindings_of(broker, principal_names) == expected)
            wait_until("subjects", lambda: set(subject_names) <= set(registry.listing()))
            visible = time.perf_counter() - start
            print(f"set-up: kgov apply {applied:.1f} s, everything visible after {visible:.1f} s")
            floor_cmd = [
                *(sys.executable, str(Path(__file__).resolve()), "--floor-plan", str(root)),
                *("--batch", str(scale.kgov_batch()), "--workers", str(CONCURRENCY)),
            ]
            plan_cmd = scale.kgov_cmd("plan", "--env", "local", "-c", str(root), "--detailed-exitcode")
            cmds = {"floor": floor_cmd, "kgov plan": plan_cmd}
            if args.compare:
                cmds["--compare"] = scale.other_kgov(args.compare, plan_cmd)
            got = measure(broker, registry, cmds, work, args.repeat)
            print(f"\nmedian of {args.repeat}, each a fresh process (start-up included), taking turns")
            print(f"{'':<12} {'s':>8} {'MB':>6} {'admin':>6} {'HTTP':>6} {'/ floor':>8}")
            for name in ("kgov plan", "--compare", "floor"):
                if name in got:
                    ratio = got[name].run.seconds / got["floor"].run.seconds
                    print(f"{row(name, got[name])} {ratio:7.2f}x")
            for name in ("kgov plan", "floor"):
                print(f"{name}'s admin requests: {got[name].run.detail}")
            print(f"last {(work / 'floor.log').read_text().strip()} (after its imports)")
            if args.profile:
                print("\n".join(profile_plan(root, work)))
        print(f"load average at the end {os.getloadavg()[0]:.1f} (other work slows every column)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
