"""Before/after check: kgov's machine outputs for the example catalog must not change by one byte.

    kgov sandbox up && eval "$(kgov sandbox env)"
    python benchmarks/compare_outputs.py --before /path/to/other/checkout [--after PATH]

Both checkouts' kgov (`env PYTHONPATH=<checkout> python -m kgov ...`; --after defaults to this one)
run against the same sandbox on the same copy of this checkout's example catalog (catalog/, env
`local`, the services' SCRAM passwords set to fixed fake values), and each output is compared byte
for byte:

  plan json        `plan --format json` (stdout)
  plan file        the file `plan --out` saves
  plan --base      `plan --base base --format json` (a pull request's scoped plan)
  diff json        `diff --base base --format json`
  audit json       `audit --format json` (from the cluster)
  audit catalog    `audit --catalog-only --format json`
  snapshot         the file `snapshot --out` writes
  plan snapshot    `plan --snapshot <the before's snapshot> --format json` (each kgov reads the same file)

Set-up, repeatable on the same sandbox: a throwaway git repository in a temporary folder holds the
example catalog as commit `base`; the AFTER kgov applies it; then drift is made directly, as someone
by hand would (a changed topic config, an unmanaged topic that breaks the naming policy and one in an
owned prefix, unmanaged ACL bindings, an unmanaged SCRAM user, an unmanaged subject); then a second
commit changes the catalog (a partition increase, a retention cut, an ACL added and one removed, a
description, an incompatible schema change), so plan, diff and audit carry entries and reasons of
every class (safe, attention, breaking; a blocked subject: the plans exit 1, on both sides). The
outputs are read with that second commit checked out.

Fields that differ between two runs of the same code (the time a plan, audit or snapshot was made;
the kgov version, when the two checkouts carry different ones) are replaced in both outputs by a
placeholder at the JSON paths listed in NORMALISED; the script prints them. Everything else must be
equal, exit codes included.

Prints a table (output, bytes before/after, exit codes, equal?) and a short unified diff for each
difference. Exit 0 when all are equal, 1 when one differs, 2 when the set-up fails (no sandbox, a
command that fails on the before side, ...).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import scale_benchmark as scale

HERE = Path(__file__).resolve().parent
ENV = "local"
# The example catalog's SCRAM password references (catalog/acls/*.yaml): fixed fake values, so that
# apply and the plans see the same passwords every run.
PASSWORDS = {
    f"{svc}_PASSWORD": f"{svc.lower()}-compare-outputs"
    for svc in ("INVENTORY", "NOTIFICATIONS", "ORDERS", "PAYMENTS", "SHIPPING", "USERS")
}
# JSON paths (keys from the document's root) whose values legitimately differ between two runs.
NORMALISED: dict[str, tuple[tuple[str, ...], ...]] = {
    "plan json": (("created_at",), ("kgov_version",)),
    "plan file": (("created_at",), ("kgov_version",)),
    "plan --base": (("created_at",), ("kgov_version",)),
    "diff json": (),
    "audit json": (("created_at",), ("kgov_version",)),
    "audit catalog": (("created_at",), ("kgov_version",)),
    "snapshot": (("created_at",), ("kgov_version",)),
    "plan snapshot": (("created_at",), ("kgov_version",)),
}
PLACEHOLDER = "<normalised>"

# Drift made by hand after apply (idempotent: a second run finds it in place and leaves it so).
BAD_TOPIC = "Legacy_Orders"  # breaks the naming policy (service.eventType)
STRAY_TOPIC = "orders.legacy-export"  # well named, in an owned prefix, not in the catalog
DRIFTED_TOPIC, DRIFTED_KEY, DRIFTED_VALUE = "orders.created", "retention.ms", "3600000"
STRAY_PRINCIPAL = "User:legacy-app"
STRAY_USER = "legacy-app"
STRAY_SUBJECT = "legacy.orders-value"
STRAY_SCHEMA = '{"type": "record", "name": "LegacyOrder", "fields": [{"name": "id", "type": "string"}]}'

# The second commit: (file, text, replacement); each text must be found exactly once.
EDITS: tuple[tuple[str, str, str], ...] = (
    (  # a partition increase
        "topics/orders.yaml",
        "  - name: orders.created\n    description: An order was placed by a customer.\n    partitions: 6\n",
        "  - name: orders.created\n    description: An order was placed by a customer.\n    partitions: 12\n",
    ),
    (  # a description: no cluster change, so no review entry either
        "topics/orders.yaml",
        "    description: Latest state of each order, keyed by order id.\n",
        "    description: Latest state of each order, keyed by order id (compacted).\n",
    ),
    (  # a retention cut
        "topics/payments.yaml",
        "  - name: payments.completed\n    description: A payment was captured; the order can ship.\n"
        "    partitions: 6\n    replication_factor: 3\n    classification: confidential\n"
        "    config: {retention.ms: 30d,",
        "  - name: payments.completed\n    description: A payment was captured; the order can ship.\n"
        "    partitions: 6\n    replication_factor: 3\n    classification: confidential\n"
        "    config: {retention.ms: 3d,",
    ),
    (  # an ACL added (orders.created) and one removed (users.profile)
        "acls/shipping.yaml",
        "consumes: [payments.completed, orders.state, users.profile]",
        "consumes: [payments.completed, orders.state, orders.created]",
    ),
    (  # a schema change: a new field with no default, incompatible under BACKWARD
        "schemas/orders.cancelled-value.avsc",
        '    {\n      "name": "order_id",\n      "type": "string"\n    },\n',
        '    {\n      "name": "order_id",\n      "type": "string"\n    },\n'
        '    {\n      "name": "refund_id",\n      "type": "string"\n    },\n',
    ),
)


class SetupError(Exception):
    """The comparison could not run: exit 2."""


@dataclass(frozen=True)
class Output:
    name: str
    before: bytes
    after: bytes
    before_exit: int
    after_exit: int

    @property
    def equal(self) -> bool:
        return self.before == self.after and self.before_exit == self.after_exit


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: bytes
    stderr: bytes


def run(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> Ran:
    done = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, timeout=600, check=False)
    return Ran(done.returncode, done.stdout, done.stderr)


def git(repo: Path, *args: str) -> None:
    # Fixed names and dates: the same commits every run (the diff's base commit is in no output, but
    # nothing should vary that need not).
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "compare",
        "GIT_AUTHOR_EMAIL": "compare@example.invalid",
        "GIT_COMMITTER_NAME": "compare",
        "GIT_COMMITTER_EMAIL": "compare@example.invalid",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SetupError(f"git {' '.join(args)} failed: {done.stderr.strip()}")


# -- set-up ---------------------------------------------------------------------------------------


def make_repo(source: Path, repo: Path) -> None:
    """The example catalog as commit `base` of a fresh repository."""
    shutil.copytree(source, repo / "catalog")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "catalog")
    git(repo, "commit", "-q", "-m", "the example catalog")
    git(repo, "tag", "base")


def change_catalog(repo: Path) -> None:
    """The second commit: a change of every review class."""
    for rel, old, new in EDITS:
        path = repo / "catalog" / rel
        text = path.read_text()
        if text.count(old) != 1:
            raise SetupError(f"catalog/{rel} has changed shape: the edit for this comparison does not apply")
        path.write_text(text.replace(old, new))
    git(repo, "commit", "-q", "-am", "a change of every class")


def make_drift(bootstrap: str, registry: str) -> list[str]:
    """Changes made around kgov, straight to the cluster and the registry; what was done."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import (
        AclBinding,
        AclOperation,
        AclPermissionType,
        AlterConfigOpType,
        ConfigEntry,
        ConfigResource,
        NewTopic,
        ResourcePatternType,
        ResourceType,
        ScramCredentialInfo,
        ScramMechanism,
        UserScramCredentialUpsertion,
    )

    admin = scale._admin(bootstrap)
    for topic, future in admin.create_topics(
        [NewTopic(BAD_TOPIC, 1, 1), NewTopic(STRAY_TOPIC, 1, 1)]
    ).items():
        try:
            future.result()
        except KafkaException as e:
            if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise SetupError(f"creating {topic}: {e}") from e
    scale.wait_visible(admin, [BAD_TOPIC, STRAY_TOPIC], timeout=60)
    entry = ConfigEntry(DRIFTED_KEY, DRIFTED_VALUE, incremental_operation=AlterConfigOpType.SET)
    for future in admin.incremental_alter_configs(
        [ConfigResource(ResourceType.TOPIC, DRIFTED_TOPIC, incremental_configs=[entry])]
    ).values():
        future.result()
    bindings = [
        AclBinding(
            ResourceType.TOPIC,
            BAD_TOPIC,
            ResourcePatternType.LITERAL,
            STRAY_PRINCIPAL,
            "*",
            AclOperation.READ,
            AclPermissionType.ALLOW,
        ),
        AclBinding(  # a managed principal's binding the catalog does not grant
            ResourceType.TOPIC,
            "payments.refunded",
            ResourcePatternType.LITERAL,
            "User:orders",
            "*",
            AclOperation.READ,
            AclPermissionType.ALLOW,
        ),
    ]
    for future in admin.create_acls(bindings).values():
        future.result()
    upsert = UserScramCredentialUpsertion(
        STRAY_USER, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), b"legacy-compare", b"fixed-salt"
    )
    for future in admin.alter_user_scram_credentials([upsert]).values():
        future.result()
    request = urllib.request.Request(
        f"{registry.rstrip('/')}/subjects/{STRAY_SUBJECT}/versions",
        data=json.dumps({"schema": STRAY_SCHEMA}).encode(),
        headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()
    return [
        f"{DRIFTED_TOPIC} {DRIFTED_KEY}={DRIFTED_VALUE}",
        f"unmanaged topics {BAD_TOPIC} (breaks the naming policy), {STRAY_TOPIC} (owned prefix)",
        f"unmanaged ACL bindings: {STRAY_PRINCIPAL} READ {BAD_TOPIC}, User:orders READ payments.refunded",
        f"unmanaged SCRAM user {STRAY_USER}",
        f"unmanaged subject {STRAY_SUBJECT}",
    ]


# -- the comparison -------------------------------------------------------------------------------


def normalise(name: str, data: bytes) -> bytes:
    """`data` with the values at NORMALISED[name] replaced, every other byte kept as it is."""
    paths = NORMALISED.get(name, ())
    if not paths:
        return data
    try:
        doc = json.loads(data)
    except ValueError:
        return data  # not JSON: compared as it is (and shown)
    for path in paths:
        node = doc
        for key in path:
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
        else:
            # The value as kgov writes it; replaced only where the key and value stand together once.
            written = f"{json.dumps(path[-1])}: {json.dumps(node, ensure_ascii=False)}".encode()
            if data.count(written) == 1:
                data = data.replace(written, f'{json.dumps(path[-1])}: "{PLACEHOLDER}"'.encode())
    return data


def short_diff(out: Output, limit: int = 40) -> list[str]:
    lines = list(
        difflib.unified_diff(
            out.before.decode(errors="replace").splitlines(),
            out.after.decode(errors="replace").splitlines(),
            "before",
            "after",
            n=2,
            lineterm="",
        )
    )
    if out.before_exit != out.after_exit:
        lines.insert(0, f"exit code: before {out.before_exit}, after {out.after_exit}")
    return lines[:limit] + ([f"... {len(lines) - limit} more lines"] if len(lines) > limit else [])


class Sides:
    """The two kgovs, each run in the throwaway repository with the sandbox's environment."""

    def __init__(self, before: Path, after: Path, repo: Path, work: Path) -> None:
        self.paths = {"before": before, "after": after}
        self.repo = repo
        self.work = work
        self.env = {**os.environ, **PASSWORDS}
        self.env.pop("PYTHONPATH", None)

    def cmd(self, side: str, *args: str) -> list[str]:
        return scale.other_kgov(str(self.paths[side]), scale.kgov_cmd(*args))

    def run(self, side: str, *args: str) -> Ran:
        return run(self.cmd(side, *args), self.repo, self.env)

    def folder(self, side: str) -> Path:
        path = self.work / side
        path.mkdir(exist_ok=True)
        return path

    def stdout(self, name: str, args: Sequence[str], ok: Sequence[int] = (0,)) -> Output:
        ran = {side: self.run(side, *args) for side in self.paths}
        return self._output(name, ran, {side: r.stdout for side, r in ran.items()}, ok)

    def file(
        self, name: str, args: Sequence[str], out_flag: str, filename: str, ok: Sequence[int] = (0,)
    ) -> Output:
        ran, data = {}, {}
        for side in self.paths:
            path = self.folder(side) / filename
            ran[side] = self.run(side, *args, out_flag, str(path))
            data[side] = path.read_bytes() if path.exists() else b""
        return self._output(name, ran, data, ok)

    def _output(self, name: str, ran: dict[str, Ran], data: dict[str, bytes], ok: Sequence[int]) -> Output:
        if ran["before"].code not in ok or not data["before"]:
            tail = ran["before"].stderr.decode(errors="replace").strip()[-600:]
            raise SetupError(f"{name}: the before kgov exited {ran['before'].code}: {tail}")
        if ran["after"].code not in ok:
            sys.stderr.write(ran["after"].stderr.decode(errors="replace")[-600:])
        return Output(
            name,
            normalise(name, data["before"]),
            normalise(name, data["after"]),
            ran["before"].code,
            ran["after"].code,
        )


def compare(sides: Sides) -> list[Output]:
    catalog = ("--env", ENV, "--catalog", "catalog")
    blocked = (0, 1)  # a plan with a blocked change (the schema) exits 1, and still prints and saves
    outputs = [
        sides.stdout("plan json", ("plan", *catalog, "--format", "json"), blocked),
        sides.file("plan file", ("plan", *catalog), "--out", "plan.json", blocked),
        sides.stdout("plan --base", ("plan", *catalog, "--base", "base", "--format", "json"), blocked),
        sides.stdout("diff json", ("diff", "--catalog", "catalog", "--base", "base", "--format", "json")),
        sides.stdout("audit json", ("audit", *catalog, "--format", "json")),
        sides.stdout("audit catalog", ("audit", *catalog, "--catalog-only", "--format", "json")),
        sides.file("snapshot", ("snapshot", *catalog), "--out", "snapshot.json"),
    ]
    # Both plan from the same file (the before's snapshot): the plan's warning names its path.
    shared = sides.work / "snapshot.json"
    shutil.copyfile(sides.folder("before") / "snapshot.json", shared)
    outputs.append(
        sides.stdout(
            "plan snapshot", ("plan", *catalog, "--snapshot", str(shared), "--format", "json"), blocked
        )
    )
    return outputs


def prepare(sides: Sides, source: Path, bootstrap: str, registry: str) -> list[str]:
    make_repo(source, sides.repo)
    applied = sides.run("after", "apply", "--env", ENV, "--catalog", "catalog", "--auto-approve")
    if applied.code != 0:
        tail = applied.stderr.decode(errors="replace").strip()[-600:]
        raise SetupError(f"apply of the example catalog (after kgov) exited {applied.code}: {tail}")
    from confluent_kafka import KafkaException

    try:
        drift = make_drift(bootstrap, registry)
    except (KafkaException, OSError) as e:  # urllib's errors are OSErrors
        raise SetupError(f"making the drift: {e}") from e
    change_catalog(sides.repo)
    return drift


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--before", type=Path, required=True, metavar="PATH", help="the other checkout of kgov"
    )
    parser.add_argument(
        "--after",
        type=Path,
        default=HERE.parent,
        metavar="PATH",
        help="the checkout to check (default: this one)",
    )
    parser.add_argument(
        "--catalog", type=Path, help="the example catalog to copy (default: the after checkout's catalog/)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="work in this (new) folder and keep it: the repository and outputs",
    )
    args = parser.parse_args()
    before, after = args.before.resolve(), args.after.resolve()
    source = (args.catalog or after / "catalog").resolve()
    bootstrap = os.environ.get("KGOV_BOOTSTRAP_PLAINTEXT")
    registry = os.environ.get("KGOV_SCHEMA_REGISTRY_URL")
    if bootstrap is None or registry is None or "KGOV_BOOTSTRAP_SASL" not in os.environ:
        print('run `eval "$(kgov sandbox env)"` first', file=sys.stderr)
        return 2
    for path in (before, after):
        if not (path / "kgov" / "__main__.py").is_file():
            print(f"{path} is not a kgov checkout (no kgov/__main__.py)", file=sys.stderr)
            return 2
    if not (source / "kgov.yaml").is_file():
        print(f"{source} is not a catalog (no kgov.yaml)", file=sys.stderr)
        return 2
    start = time.monotonic()
    print(f"before: {before}\nafter:  {after}\ncatalog: {source} (env {ENV}); sandbox at {bootstrap}")
    with tempfile.TemporaryDirectory(prefix="kgov-compare-") as tmp:
        work = Path(tmp) if args.keep is None else args.keep.resolve()
        sides = Sides(before, after, work / "repo", work)
        (work / "repo").mkdir(parents=True)
        try:
            drift = prepare(sides, source, bootstrap, registry)
            print("drift made after apply: " + "; ".join(drift))
            print("catalog changed in the second commit: " + ", ".join(sorted({rel for rel, _, _ in EDITS})))
            outputs = compare(sides)
        except SetupError as e:
            print(f"set-up failed: {e}", file=sys.stderr)
            return 2
    print("normalised (both sides, value replaced by " + f'"{PLACEHOLDER}"):')
    for name, paths in NORMALISED.items():
        if paths:
            print(f"  {name:<14} " + ", ".join("$." + ".".join(p) for p in paths))
    print()
    print(f"{'output':<14} {'before B':>9} {'after B':>9} {'exit':>5}  equal?")
    for out in outputs:
        codes = (
            f"{out.before_exit}/{out.after_exit}"
            if out.before_exit != out.after_exit
            else str(out.after_exit)
        )
        equal = "yes" if out.equal else "NO"
        print(f"{out.name:<14} {len(out.before):>9} {len(out.after):>9} {codes:>5}  {equal}")
    differ = [out for out in outputs if not out.equal]
    for out in differ:
        print(f"\n--- {out.name}: differs")
        print("\n".join(short_diff(out)))
    print(
        f"\n{len(outputs) - len(differ)} of {len(outputs)} outputs equal; "
        f"{time.monotonic() - start:.1f} s (set-up included)"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
