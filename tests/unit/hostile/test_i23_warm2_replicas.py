"""The replica kind's desired factors and scope, derived without the catalog's topic generator and
without sorting (name, factor) pairs (kgov/kinds/replicas): the same dicts, in the same order, as
the old expressions, for names out of order, declared twice, and with an override."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kgov.catalog.load import load_catalog
from kgov.catalog.resolve import environment
from kgov.kinds.replicas import ReplicaKind
from tests.support import SETTINGS, topic_doc, write_catalog


def _topics() -> dict[str, list[dict[str, Any]]]:
    def rf(name: str, factor: int) -> dict[str, Any]:
        return {**topic_doc(name), "replication_factor": factor}

    return {
        "zeta": [rf("zeta.b", 3), rf("zeta.a", 1), rf("shared.x", 2)],
        "alpha": [rf("alpha.z", 2), rf("alpha.a", 1), rf("shared.x", 3)],  # declared twice
    }


@pytest.mark.parametrize("override", [None, 2])
def test_desired_and_scope_are_the_old_ones(tmp_path: Path, override: int | None) -> None:
    envs = json.loads(json.dumps(SETTINGS["environments"]))
    if override is not None:
        for env in envs.values():
            env["overrides"] = {"replication_factor": override}
    catalog = load_catalog(write_catalog(tmp_path, _topics(), environments=envs)).catalog
    env = environment(catalog, next(iter(envs)))
    kind = ReplicaKind()
    desired = kind.desired(catalog, env)
    rf = env.overrides.replication_factor
    old = {t.name: rf if rf is not None else t.replication_factor for t in catalog.topics()}
    assert list(desired.items()) == list(old.items())
    assert list(kind.scope(desired, catalog)["topics"].items()) == list(dict(sorted(old.items())).items())
    assert list(desired) != sorted(desired)  # the case where the order matters
