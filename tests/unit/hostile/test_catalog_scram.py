"""Issue 18, probe hole 11: SCRAM iterations outside Kafka's 4096-16384 are refused by lint (the acls
schema), by plan and by apply; a count of 99999999999 made apply derive the salted password forever."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.errors import CatalogError
from kgov.kinds.base import Backends
from kgov.kinds.user.users import desired_users, iterations_problem

SETTINGS = """version: 1
policy: {replication_factor: {min: 1}, min_insync_replicas: {min: 1}}
environments:
  local: {kafka: {bootstrap_servers: 'x:1', username: admin}}
"""
TOPICS = """service: orders
owner: o
topics:
  - {name: orders.created, description: d, partitions: 1, replication_factor: 1}
"""
ORDERS = """service: orders
principal: User:orders
authentication:
  scram: {mechanism: SCRAM-SHA-512, password: '${env:T_ORDERS_PW}', iterations: ITERATIONS}
produces: [orders.created]
"""


def _catalog(tmp: Path, iterations: int) -> Path:
    (tmp / "topics").mkdir(exist_ok=True)
    (tmp / "acls").mkdir(exist_ok=True)
    (tmp / "kgov.yaml").write_text(SETTINGS, "utf-8")
    (tmp / "topics" / "orders.yaml").write_text(TOPICS, "utf-8")
    (tmp / "acls" / "orders.yaml").write_text(ORDERS.replace("ITERATIONS", str(iterations)), "utf-8")
    return tmp


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_ORDERS_PW", "pw-one")


@pytest.mark.parametrize("count", [4095, 16385, 99999999999])
def test_lint_refuses_iterations_outside_kafkas_bounds_at_the_value(tmp_path: Path, count: int) -> None:
    loaded = load_catalog(_catalog(tmp_path, count))
    errors = [d for d in loaded.diagnostics if d.is_error]
    assert [(d.rule, d.location.line) for d in errors] == [("structure", 4)]
    assert "iterations" in errors[0].message


@pytest.mark.parametrize("count", [4096, 8192, 16384])
def test_kafkas_bounds_are_accepted(tmp_path: Path, count: int) -> None:
    assert not load_catalog(_catalog(tmp_path, count)).diagnostics
    assert iterations_problem(count) is None


def test_plan_refuses_a_count_lint_would_refuse(tmp_path: Path) -> None:
    catalog = load_catalog(_catalog(tmp_path, 4096)).catalog
    af = catalog.access_files[0]
    assert af.authentication is not None
    bad = dataclasses.replace(af, authentication=dataclasses.replace(af.authentication, iterations=10**11))
    with pytest.raises(CatalogError, match="16384"):
        desired_users(dataclasses.replace(catalog, access_files=(bad,)), "local")


def test_apply_never_derives_a_credential_of_an_unbounded_count(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    catalog = load_catalog(_catalog(tmp_path, 4096)).catalog
    plan = make_plan(catalog, "local", Backends(kafka=cluster), allow_delete=False)
    entries = tuple(
        dataclasses.replace(e, after={**e.after, "iterations": 99999999999})
        if e.kind == "user" and isinstance(e.after, dict)
        else e
        for e in plan.entries
    )
    start = time.monotonic()
    edited = dataclasses.replace(plan, entries=entries)  # as a plan file no catalog would give
    results = {r.entry.address: r.error for r in apply_plan(edited, Backends(kafka=cluster))}
    assert time.monotonic() - start < 10
    assert "16384" in (results["user.orders"] or "")
    assert cluster.describe_scram() == {}
