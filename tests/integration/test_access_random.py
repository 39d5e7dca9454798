"""Random catalogs of principals, SCRAM users and ACLs, mutated between applies, converge on the
real broker; a foreign principal's look-alike bindings are never touched."""

from __future__ import annotations

import random

import pytest

from kgov.bindings import Binding
from kgov.cluster.kafka.access_port import ScramDelete
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.engine.apply import apply_plan, await_visible
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from tests.integration.access_support import admin_cluster
from tests.support import SETTINGS, unique_service
from tests.unit.access.test_random_convergence import catalog, random_file


@pytest.mark.parametrize("seed", [1, 2])
def test_random_access_catalogs_converge_on_the_broker(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_RANDOM_PW", f"random-pw-{seed}")
    rng = random.Random(seed)
    run = unique_service() + "-"
    kafka = dict(SETTINGS["environments"]["local"]["kafka"])
    boss = admin_cluster()
    foreign = [Binding(f"User:{run}other", "topic", "literal", f"{run}t1.e1", "READ")]
    boss.create_acls(foreign)
    files = [random_file(rng, i, run) for i in range(3)]
    try:
        for _round in range(3):
            cat = catalog(files, kafka)
            backends = Backends(kafka=KafkaCluster(kafka_settings(cat.settings.environments["test"])))
            plan = make_plan(cat, "test", backends, allow_delete=False)
            results = apply_plan(plan, backends)
            assert [r.error for r in results if not r.ok] == []
            assert await_visible(plan, results, backends) == ()
            again = make_plan(cat, "test", backends, allow_delete=False)
            assert not again.has_changes, [e.address for e in again.entries]
            assert set(foreign) <= set(boss.describe_acls())
            files[rng.randrange(len(files))] = random_file(rng, rng.randrange(6), run)
            files = list({f.principal: f for f in files}.values())
    finally:
        mine = [b for b in boss.describe_acls() if b.principal.startswith(f"User:{run}")]
        boss.delete_acls(mine)
        users = boss.describe_scram()
        boss.alter_scram(
            [], [ScramDelete(u, c.mechanism) for u, cs in users.items() if u.startswith(run) for c in cs]
        )
