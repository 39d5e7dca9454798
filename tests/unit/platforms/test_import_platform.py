"""`kgov import` on a platform: the keys the platform manages and its own defaults, which it reports as
overrides, are not written into the catalog (the next plan would not compare them either)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.importer import run_import
from kgov.commands.plan import run_plan
from kgov.kinds.base import Backends
from tests.support import SETTINGS, write_catalog


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KGOV_BOOTSTRAP_SASL", "KGOV_USERNAME", "KGOV_PASSWORD"):
        monkeypatch.setenv(name, "x")


def settings(platform: str) -> dict[str, object]:
    doc = copy.deepcopy(SETTINGS)
    doc["environments"]["local"]["platform"] = platform
    return doc


def test_import_on_redpanda_leaves_out_what_redpanda_reports_of_its_own(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    reported = {"cleanup.policy": "delete", "redpanda.remote.write": "true", "retention.ms": "86400000"}
    cluster.add_topic("billing.paid", 3, 1, **reported)
    catalog = write_catalog(tmp_path, {}, **settings("redpanda"))
    assert run_import(catalog, "local", out_dir=catalog, backends=Backends(kafka=cluster)) == 0
    billing = yaml.safe_load((catalog / "topics" / "billing.yaml").read_text())
    assert billing["topics"][0]["config"] == {"retention.ms": 86400000}
    assert run_plan(catalog, "local", backends=Backends(kafka=cluster), detailed_exitcode=True) == 0


def test_import_on_apache_keeps_every_override(tmp_path: Path) -> None:
    cluster = MemoryCluster(brokers=1)
    cluster.add_topic("billing.paid", 3, 1, **{"cleanup.policy": "delete", "retention.ms": "86400000"})
    catalog = write_catalog(tmp_path, {}, **settings("apache"))
    assert run_import(catalog, "local", out_dir=catalog, backends=Backends(kafka=cluster)) == 0
    billing = yaml.safe_load((catalog / "topics" / "billing.yaml").read_text())
    assert billing["topics"][0]["config"] == {"cleanup.policy": "delete", "retention.ms": 86400000}
