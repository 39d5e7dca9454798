"""The toy kind is snapshot and planned from its snapshot by the core alone (kgov/engine/snapshot.py,
kgov/plan/snapshotfile.py): its part is saved in the file, a plan from the file equals the live plan
(entries and fingerprint), and a snapshot that left the toy out is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.engine.snapshot import plan_from_snapshot, take
from kgov.errors import PlanError
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.plan.snapshotfile import save
from tests.unit.kinds.toy.kind import BudgetKind, ToyKafka
from tests.unit.plan.helpers import ENV, catalog, plan, topic

KINDS_WITH_TOY = (*KINDS, BudgetKind())


def _cluster() -> ToyKafka:
    cluster = ToyKafka()
    cluster.toy.budgets.update({"User:billing": 10, "User:someone-else": 7})
    return cluster


def test_the_toy_kind_is_saved_in_a_snapshot_and_planned_from_it(tmp_path: Path) -> None:
    cat, cluster = catalog(topic("orders.created")), _cluster()
    snapshot, skipped = take(cat, ENV, Backends(kafka=cluster), KINDS_WITH_TOY)
    path = tmp_path / "snap.json"
    save(snapshot, path)
    saved = json.loads(path.read_text())["kinds"]["budget"]
    assert saved == {"scope": {"principals": "all"}, "state": {"User:billing": 10, "User:someone-else": 7}}
    assert not any("budgets" in s for s in skipped)

    reads = len(cluster.toy.requests)
    offline = plan_from_snapshot(cat, ENV, path, allow_delete=False, scoped=None, kinds=KINDS_WITH_TOY)
    assert len(cluster.toy.requests) == reads  # the snapshot answered; the cluster was not read
    live = plan(cat, cluster, kinds=KINDS_WITH_TOY)
    assert [e.to_json() for e in offline.entries] == [e.to_json() for e in live.entries]
    assert offline.fingerprint == live.fingerprint
    assert [e.address for e in offline.entries if e.kind == "budget"] == [
        "budget.User:billing",
        "budget.User:orders",
    ]


def test_a_snapshot_without_the_toy_kind_is_refused_for_a_plan_that_reads_it(tmp_path: Path) -> None:
    cat = catalog(topic("orders.created"))
    snapshot, _ = take(cat, ENV, Backends(kafka=_cluster()), KINDS)  # taken before the toy existed
    path = tmp_path / "snap.json"
    save(snapshot, path)
    with pytest.raises(PlanError, match="budgets"):
        plan_from_snapshot(cat, ENV, path, allow_delete=False, scoped=None, kinds=KINDS_WITH_TOY)
