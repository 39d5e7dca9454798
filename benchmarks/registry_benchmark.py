"""Subjects at scale against the sandbox's registry; prints wall time, HTTP requests, memory.

    kgov sandbox up && eval "$(kgov sandbox env)"
    PYTHONPATH=$PWD python3 benchmarks/registry_benchmark.py [--subjects 1000]

1. apply: a catalog of N topics, each with an Avro value subject, registered from scratch;
2. plan: the same catalog again (the registry matches: no changes expected), i.e. observe N subjects;
3. plan after one schema changed compatibly (one update, checked against its history);
4. soft-deletes every subject it registered (not measured).

`--latency-ms N` sends every request through a local proxy that holds each chunk N/2 ms each way:
a registry N ms away, as in a real network (the sandbox's is on loopback, so only its own CPU
counts there, and on a shared 2-core machine it is busy).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kgov.catalog.model import (
    Catalog,
    Environment,
    Ownership,
    SchemaFile,
    SchemaRef,
    Settings,
    Source,
    Topic,
    TopicsFile,
)
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.registry.adapter import connect_registry
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.kinds.subjects import SubjectKind

SRC = Source("benchmark", YamlDoc({}, {}))
KINDS = (SubjectKind(),)


def schema(i: int, extra: bool = False) -> str:
    fields = [{"name": "id", "type": "string"}, {"name": "n", "type": "long"}]
    if extra:
        fields.append({"name": "note", "type": "string", "default": ""})
    return json.dumps({"type": "record", "name": f"Event{i}", "namespace": "bench", "fields": fields})


def catalog(service: str, n: int, changed: int | None = None) -> Catalog:
    env = Environment(SRC, (), name="local", schema_registry={"url": "${env:KGOV_SCHEMA_REGISTRY_URL}"})
    settings = Settings(SRC, (), ownership=Ownership(delete=False), environments={"local": env})
    topics = tuple(
        Topic(
            SRC, (), name=f"{service}.e{i}", service=service, value_schema=SchemaRef(f"{service}.e{i}-value")
        )
        for i in range(n)
    )
    files = {
        f"{service}.e{i}-value": SchemaFile(
            f"{service}.e{i}-value", "avro", f"e{i}.avsc", schema(i, i == changed)
        )
        for i in range(n)
    }
    return Catalog(Path("."), settings, (TopicsFile(SRC, (), service=service, topics=topics),), schemas=files)


def measure(label: str, fn, registry) -> object:  # type: ignore[no-untyped-def]
    before = registry.requests
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<44} {wall:7.2f} s  {registry.requests - before:6d} HTTP requests  {rss:7.1f} MiB max RSS")
    return result


def delaying_proxy(target: str, delay_s: float) -> str:
    """A local TCP proxy to `target`'s host:port that holds every chunk `delay_s` each way; its URL."""
    parts = urlsplit(target)
    upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
    server = socket.create_server(("127.0.0.1", 0))

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with src, dst:
            while chunk := src.recv(65536):
                time.sleep(delay_s)
                dst.sendall(chunk)

    def serve() -> None:
        while True:
            client, _ = server.accept()
            remote = socket.create_connection(upstream)
            for a, b in ((client, remote), (remote, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{server.getsockname()[1]}"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="round trip added by a local proxy")
    args = parser.parse_args()
    if "KGOV_SCHEMA_REGISTRY_URL" not in os.environ:
        print('start the sandbox and eval "$(kgov sandbox env)" first', file=sys.stderr)
        return 1
    if args.latency_ms:
        url = delaying_proxy(os.environ["KGOV_SCHEMA_REGISTRY_URL"], args.latency_ms / 2000)
        os.environ["KGOV_SCHEMA_REGISTRY_URL"] = url
    n, service = args.subjects, "b" + uuid.uuid4().hex[:8]
    cat = catalog(service, n)
    registry = connect_registry(cat.settings.environments["local"])
    backends = Backends(registry=registry)
    print(
        f"{n} subjects against {os.environ['KGOV_SCHEMA_REGISTRY_URL']} "
        f"({len(registry.subjects())} subjects there already)"
    )

    first = make_plan(cat, "local", backends, allow_delete=False, kinds=KINDS)
    results = measure(
        f"apply: register {n} subjects + levels", lambda: apply_plan(first, backends, KINDS), registry
    )
    failed = [r for r in results if not r.ok]  # type: ignore[attr-defined]
    assert not failed, failed[:3]
    again = measure(
        f"plan: observe {n} subjects (no changes)",
        lambda: make_plan(cat, "local", backends, allow_delete=False, kinds=KINDS),
        registry,
    )
    assert not again.entries, again.entries[:3]  # type: ignore[attr-defined]
    one = measure(
        "plan: one subject changed (compatible)",
        lambda: make_plan(catalog(service, n, changed=0), "local", backends, allow_delete=False, kinds=KINDS),
        registry,
    )
    assert [e.action for e in one.entries] == ["update"]  # type: ignore[attr-defined]
    for i in range(n):
        registry.delete_subject(f"{service}.e{i}-value")
    return 0


if __name__ == "__main__":
    sys.exit(main())
