"""Random catalogs of principals and ACLs, mutated between applies, always converge on the
in-memory cluster, and never touch a binding of an unmanaged principal."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kgov.bindings import Binding
from kgov.catalog.model import AccessFile, AclEntry, Authentication, Catalog, Environment, Settings
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from tests.unit.plan.helpers import SRC

TOPICS = [f"t{i}.e{j}" for i in range(4) for j in range(3)]


def random_file(rng: random.Random, i: int, run: str = "") -> AccessFile:
    """A random access file of service `<run>s<i>`; topics, groups and ids are `<run>`-prefixed."""
    topics = [run + t for t in TOPICS]
    pick = lambda pool, k: tuple(sorted(rng.sample(pool, rng.randint(0, k))))  # noqa: E731
    acls = tuple(
        AclEntry(
            SRC, (),
            resource=rng.choice(["topic", "group", "transactional_id"]),
            name=run + rng.choice(["t1.", "t2.e1", "g", "tx-"]),
            pattern=rng.choice(["literal", "prefixed"]),
            operations=tuple(sorted(rng.sample(["read", "write", "describe"], rng.randint(1, 2)))),
            permission=rng.choice(["allow", "allow", "deny"]),
            host=rng.choice(["*", "*", "10.0.0.1"]),
        )
        for _ in range(rng.randint(0, 2))
    )  # fmt: skip
    scram = Authentication("scram", rng.choice(["SCRAM-SHA-256", "SCRAM-SHA-512"]), "${env:T_RANDOM_PW}")
    return AccessFile(
        SRC, (), service=f"{run}s{i}", principal=f"User:{run}s{i}",
        authentication=scram if rng.random() < 0.5 else None,
        produces=pick(topics, 3), consumes=pick(topics, 3),
        consumer_groups=pick([run + "g", f"{run}s{i}"], 2),
        transactional_ids=pick([f"{run}s{i}-", f"{run}s{i}.tx"], 1), idempotent=rng.random() < 0.5, acls=acls,
    )  # fmt: skip


def catalog(files: list[AccessFile], kafka: dict[str, object] | None = None) -> Catalog:
    env = Environment(SRC, (), name="test", kafka=kafka or {"username": "admin"})
    return Catalog(Path("."), Settings(SRC, (), environments={"test": env}), access_files=tuple(files))


@pytest.mark.parametrize("seed", range(8))
def test_random_catalogs_converge(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_RANDOM_PW", f"pw-{seed}")
    rng = random.Random(seed)
    cluster = MemoryCluster(brokers=1)
    foreign = {Binding("User:other", "topic", "literal", t, "READ") for t in TOPICS[:3]}
    cluster.create_acls(sorted(foreign))
    files = [random_file(rng, i) for i in range(rng.randint(1, 6))]
    for _round in range(4):
        cat = catalog(files)
        plan = make_plan(cat, "test", Backends(kafka=cluster), allow_delete=False)
        assert all(r.ok for r in apply_plan(plan, Backends(kafka=cluster)))
        again = make_plan(cat, "test", Backends(kafka=cluster), allow_delete=False)
        assert not again.has_changes, [e.address for e in again.entries]
        assert foreign <= cluster.acls
        # mutate: replace a file, drop one, add one
        files[rng.randrange(len(files))] = random_file(rng, rng.randrange(8))
        if len(files) > 1 and rng.random() < 0.5:
            files.pop(rng.randrange(len(files)))
        if rng.random() < 0.5:
            files.append(random_file(rng, 8 + _round))
        files = list({f.principal: f for f in files}.values())
