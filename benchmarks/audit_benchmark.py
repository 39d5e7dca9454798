"""`kgov audit` at scale: N topics, N bindings (1 in 200 prefixed), the example catalog.

In memory (default): prints the time to read and assemble the audit, to render the HTML, and sizes.
  PYTHONPATH=$PWD python3 benchmarks/audit_benchmark.py --size 10000

Against the real sandbox (--sandbox): creates N topics, N bindings and G consumer groups with a
committed offset (with the super user, through the PLAINTEXT listener), runs
`kgov audit --env local --format html --out FILE` in this process (as the command runs it), and
prints the wall time, the requests sent to Kafka (by kind) and to the registry, and the HTML size;
then deletes what it created (unless --keep). Needs the sandbox's variables:
  eval "$(PYTHONPATH=$PWD python3 -m kgov sandbox env --state-dir .kgov/sandbox)"
  PYTHONPATH=$PWD python3 benchmarks/audit_benchmark.py --sandbox --size 10000
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kgov.audit.build import audit_cluster
from kgov.bindings import Binding
from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.kinds.base import Backends
from kgov.render import audit_html, audit_markdown

REPO = Path(__file__).resolve().parents[1]
PREFIXED_EVERY = 200
BATCH = 1000  # topics created or deleted per admin request


def _names(size: int, tag: str) -> list[str]:
    return [f"bench{tag}{i % 50}.topic-{i}" for i in range(size)]


def _bindings(names: list[str], tag: str) -> list[Binding]:
    out = []
    for i, name in enumerate(names):
        if i % PREFIXED_EVERY == PREFIXED_EVERY - 1:
            out.append(Binding(f"User:bi{tag}{i}", "topic", "prefixed", f"bench{tag}{i % 50}.", "READ"))
        else:
            out.append(Binding(f"User:svc{tag}{i % 1000}", "topic", "literal", name, "READ"))
    return out


def in_memory(size: int) -> None:
    catalog = load_catalog(REPO / "catalog").catalog
    cluster = MemoryCluster(brokers=1)
    names = _names(size, "")
    for name in names:
        cluster.add_topic(name, 1, 1)
    cluster.create_acls(_bindings(names, ""))
    start = time.monotonic()
    doc = audit_cluster(catalog, "local", Backends(kafka=cluster)).to_json()
    read = time.monotonic()
    page = audit_html.render(doc)
    html_done = time.monotonic()
    md = audit_markdown.render(doc)
    print(
        f"{size} topics, {size} bindings (in memory): audit {read - start:.1f} s, "
        f"html {html_done - read:.1f} s "
        f"({len(page.encode()) / 1e6:.2f} MB), markdown {time.monotonic() - html_done:.1f} s "
        f"({len(md.encode()) / 1e6:.2f} MB); {doc['summary']['cells']} matrix cells"
    )


def _wait(futures: Any) -> None:
    for f in futures.values():
        f.result(120)


def _create(admin: Any, names: list[str], bindings: list[Binding], groups: int, tag: str) -> None:
    from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
    from confluent_kafka.admin import NewTopic

    from kgov.cluster.kafka.adapter.access import to_kafka

    for i in range(0, len(names), BATCH):
        _wait(admin.create_topics([NewTopic(n, 1, 1) for n in names[i : i + BATCH]], request_timeout=120))
    for i in range(0, len(bindings), BATCH):
        _wait(admin.create_acls([to_kafka(b) for b in bindings[i : i + BATCH]], request_timeout=120))
    for g in range(groups):  # a commit on a partition without a leader yet fails: try it again
        request = ConsumerGroupTopicPartitions(
            f"bench{tag}-group-{g}", [TopicPartition(names[g % len(names)], 0, 0)]
        )
        deadline = time.monotonic() + 120
        while True:
            answers = [f.result(60) for f in admin.alter_consumer_group_offsets([request]).values()]
            failed = [tp.error for a in answers for tp in a.topic_partitions if tp.error is not None]
            if not failed:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"cannot commit an offset of group {request.group_id}: {failed[0]}")
            time.sleep(0.5)


def _settle(admin: Any, names: list[str], bindings: int, groups: int, tag: str) -> None:
    """Wait until the broker's view (it trails the controller) shows every topic with a leader, every
    binding and every group: an audit before that would measure a half-made cluster."""
    from confluent_kafka.admin import (
        AclBindingFilter,
        AclOperation,
        AclPermissionType,
        ResourcePatternType,
        ResourceType,
    )

    everything = AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY
    )
    wanted = set(names)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        meta = admin.list_topics(timeout=60)
        led = {
            n
            for n, t in meta.topics.items()
            if t.partitions and all(p.leader >= 0 for p in t.partitions.values())
        }
        seen = sum(tag in b.principal for b in admin.describe_acls(everything).result(60))
        listed = admin.list_consumer_groups(request_timeout=60).result(60).valid
        made = sum(g.group_id.startswith(f"bench{tag}-group-") for g in listed)
        if wanted <= led and seen >= bindings and made >= groups:
            return
        time.sleep(1)
    raise SystemExit(
        f"the sandbox did not show every topic, binding and group within 300 s: {len(wanted - led)} "
        f"topics without a leader, {bindings - seen} bindings and {groups - made} groups missing"
    )


def _delete(admin: Any, names: list[str], bindings: list[Binding], groups: int, tag: str) -> None:
    """Every step is tried, whatever the one before it says: a failed step must not leave the rest."""
    from kgov.cluster.kafka.adapter.access import exact_filter

    for i in range(0, len(bindings), BATCH):
        _try(
            f"delete bindings {i}",
            lambda i=i: admin.delete_acls(
                [exact_filter(b) for b in bindings[i : i + BATCH]], request_timeout=120
            ),
        )
    if groups:
        _try(
            "delete groups",
            lambda: admin.delete_consumer_groups([f"bench{tag}-group-{g}" for g in range(groups)]),
        )
    for i in range(0, len(names), BATCH):
        _try(f"delete topics {i}", lambda i=i: admin.delete_topics(names[i : i + BATCH], request_timeout=120))


def _try(what: str, send: Any) -> None:
    try:
        _wait(send())
    except Exception as exc:  # cleanup goes on; the error is printed
        print(f"cleanup: {what}: {exc}", file=sys.stderr)


def on_sandbox(size: int, groups: int, keep: bool, runs: int) -> None:
    from confluent_kafka.admin import AdminClient

    from kgov.commands.audit import run_audit
    from kgov.commands.common import checked_catalog, connect

    if "KGOV_BOOTSTRAP_PLAINTEXT" not in os.environ:
        raise SystemExit(
            'run eval "$(PYTHONPATH=$PWD python3 -m kgov sandbox env --state-dir .kgov/sandbox)" first'
        )
    tag = secrets.token_hex(3)
    admin = AdminClient({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
    names = _names(size, tag)
    bindings = _bindings(names, tag)
    try:
        started = time.monotonic()
        _create(admin, names, bindings, groups, tag)
        print(
            f"created {size} topics, {size} bindings, {groups} groups in {time.monotonic() - started:.0f} s"
        )
        _settle(admin, names, len(bindings), groups, tag)
        catalog = checked_catalog(REPO / "catalog", "local")
        for run in range(1, runs + 1):
            # Each run in full, as the command does it: connect, read, render, write. The first run
            # meets a broker still busy with what it just created (its logs, its metadata image);
            # later runs show a steady cluster's audit.
            backends = connect(catalog, "local")
            out = Path(tempfile.mkdtemp()) / "audit.html"
            start = time.monotonic()
            run_audit(REPO / "catalog", "local", fmt="html", out=out, backends=backends)
            wall = time.monotonic() - start
            kafka: Any = backends.kafka
            registry: Any = backends.registry
            counted = dict(sorted(kafka.requests.items()))
            print(
                f"run {run}: {size} topics, {size} bindings, {groups} groups (sandbox): kgov audit --format "
                f"html {wall:.1f} s; Kafka requests {sum(counted.values())} {counted}; registry requests "
                f"{registry.requests if registry is not None else 0}; "
                f"HTML {out.stat().st_size / 1e6:.2f} MB ({out}); load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        print(
            'command: eval "$(PYTHONPATH=$PWD python3 -m kgov sandbox env --state-dir .kgov/sandbox)" && '
            "PYTHONPATH=$PWD python3 benchmarks/audit_benchmark.py --sandbox "
            f"--size {size} --groups {groups} --runs {runs}"
        )
    finally:
        if not keep:
            _delete(admin, names, bindings, groups, tag)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10_000, help="topics and bindings (default 10000)")
    parser.add_argument("--sandbox", action="store_true", help="against the real sandbox, not in memory")
    parser.add_argument("--groups", type=int, default=100, help="consumer groups (sandbox; default 100)")
    parser.add_argument("--keep", action="store_true", help="leave what was created on the sandbox")
    parser.add_argument("--runs", type=int, default=2, help="audits of the same cluster (sandbox; default 2)")
    args = parser.parse_args()
    if args.sandbox:
        on_sandbox(args.size, args.groups, args.keep, args.runs)
    else:
        in_memory(args.size)


if __name__ == "__main__":
    main()
