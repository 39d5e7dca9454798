"""Usage and subjects in `kgov audit` of the real sandbox: messages produced and partly consumed by
a group give its exact lag; a topic nobody consumes and an empty topic are named; a subject planted
out of band is unmanaged, and a NONE level set out of band is a violation and drift."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import NewTopic

from kgov.cluster.registry.adapter import HttpRegistry, RegistrySettings
from kgov.cluster.registry.port import NewSchema
from kgov.render.escape import md_code
from tests.integration.clients import consume_and_commit
from tests.integration.kgovtest import admin
from tests.support import kgov

REPO = Path(__file__).resolve().parents[2]
SCRAM_SERVICES = ("orders", "inventory", "notifications", "shipping", "users")
TAG = secrets.token_hex(4)
BUSY, IDLE, EMPTY = f"usage_busy_{TAG}", f"usage_idle_{TAG}", f"usage_empty_{TAG}"
GROUP = f"usage-group-{TAG}"
STRAY = f"stray{TAG}-value"
MANAGED = "orders.created-value"
PRODUCED, CONSUMED = 20, 8


def registry() -> HttpRegistry:
    url = os.environ["KGOV_SCHEMA_REGISTRY_URL"]
    host, _, rest = url.removeprefix("http://").partition(":")
    port, _, path = rest.partition("/")
    return HttpRegistry(RegistrySettings(url, host, int(port), "/" + path, False, None, None))


def run(*args: str) -> str:
    result = kgov(*args)
    assert result.code in (0, 2), result.output
    return result.output


def _produce(topic: str, count: int) -> None:
    p = Producer({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
    for i in range(count):
        p.produce(topic, value=f"m{i}".encode())
    assert p.flush(30) == 0


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("audit-usage") / "catalog"
    shutil.copytree(REPO / "catalog", root)
    names = [f"{s.upper()}_PASSWORD" for s in SCRAM_SERVICES]
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update({n: os.environ.get(n) or secrets.token_hex(8) for n in names})
    run("apply", "--env", "local", "-c", str(root), "--auto-approve")
    a = admin()
    for f in a.create_topics([NewTopic(t, 1, 1) for t in (BUSY, IDLE, EMPTY)]).values():
        f.result(30)
    _produce(BUSY, PRODUCED)
    _produce(IDLE, 3)
    consume_and_commit(GROUP, BUSY, CONSUMED)
    r = registry()
    r.register(NewSchema(STRAY, "AVRO", '{"type": "record", "name": "Stray", "fields": []}'))
    r.set_level(STRAY, "NONE")
    before = r.levels([MANAGED])[MANAGED]
    r.set_level(MANAGED, "NONE")
    yield root
    r.set_level(MANAGED, before)
    r.delete_subject(STRAY)
    for f in a.delete_topics([BUSY, IDLE, EMPTY]).values():
        f.result(30)
    for f in a.delete_consumer_groups([GROUP]).values():
        f.result(30)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _audit(catalog: Path, out: Path) -> dict[str, Any]:
    """The audit, once the broker's metadata lists the new topics (it trails the controller)."""
    deadline = time.monotonic() + 30
    while True:
        run("audit", "--env", "local", "-c", str(catalog), "--format", "json", "--out", str(out))
        doc: dict[str, Any] = json.loads(out.read_text("utf-8"))
        names = {u["name"] for u in doc["unmanaged"]}
        if {BUSY, IDLE, EMPTY} <= names or time.monotonic() > deadline:
            return doc
        time.sleep(1)


def test_usage_gives_exact_lag_unconsumed_and_empty_topics(catalog: Path, tmp_path: Path) -> None:
    doc = _audit(catalog, tmp_path / "audit.json")
    usage = doc["usage"]
    assert GROUP in usage["groups"]
    mine = [x for x in usage["lag"] if x["group"] == GROUP]
    assert mine == [{"group": GROUP, "topic": BUSY, "lag": PRODUCED - CONSUMED, "partitions": 1, "of": 1}]
    assert IDLE in usage["unconsumed_topics"] and EMPTY in usage["unconsumed_topics"]
    assert BUSY not in usage["unconsumed_topics"]
    assert EMPTY in usage["empty_topics"] and IDLE not in usage["empty_topics"]
    assert BUSY not in usage["empty_topics"]
    md = run("audit", "--env", "local", "-c", str(catalog), "--format", "markdown")
    assert f"| {md_code(GROUP)} | {md_code(BUSY)} | {PRODUCED - CONSUMED} | 1 of 1 |" in md


def test_unmanaged_subject_and_none_levels(catalog: Path, tmp_path: Path) -> None:
    doc = _audit(catalog, tmp_path / "audit.json")
    unmanaged = {(u["kind"], u["name"]): u["detail"] for u in doc["unmanaged"]}
    assert unmanaged[("subject", STRAY)] == {"compatibility": "NONE"}
    assert ("subject", MANAGED) not in unmanaged
    none = {v["name"] for v in doc["violations"] if v["rule"] == "compatibility-none"}
    assert {STRAY, MANAGED} <= none
    drift = {e["name"]: e for e in doc["drift"] if e["kind"] == "subject"}
    assert ("compatibility", "NONE", "BACKWARD") in {
        (c["field"], c["before"], c["after"]) for c in drift[MANAGED]["changes"]
    }
