"""The example catalog (the one scripts/demo applies), planned against the in-memory twin loaded with
DescribeConfigs answers shaped as each platform returns them (tests/unit/platforms/recorded/, from
the platforms' documentation): under its own profile a platform shows no drift; under `apache` the
same answers show the false diffs a profile removes; a real drift is found under every profile."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.make import make_plan
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.plan.model import Entry
from kgov.platforms import NAMES
from kgov.policy import lint

EXAMPLE = Path(__file__).resolve().parents[3] / "catalog"
RECORDED = Path(__file__).with_name("recorded")
TOPIC_KIND = tuple(k for k in KINDS if k.name == "topic")
PLATFORMS = tuple(n for n in NAMES if n != "apache")
# What each platform's own overrides look like to a kgov that does not know the platform: the
# number of topics `apache` plans a change for, from the same answers.
FALSE_DIFFS = {
    "confluent-cloud": 12,  # cleanup.policy=delete on the 12 topics that do not set it
    "redpanda": 12,  # the same: Redpanda reports cleanup.policy on every topic
    "aiven": 15,  # remote.storage.enable=true on every topic of a tiered-storage service
    "msk": 0,  # MSK's defaults are broker settings: never reported as topic overrides
}


def answers(platform: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDED / f"{platform}.json").read_text(encoding="utf-8"))
    assert "not from a live cluster" in data["recorded"]
    return data


def twin(data: Mapping[str, Any], drift: Mapping[tuple[str, str], str] = {}) -> MemoryCluster:
    """The twin with the recorded topics and, as kgov's adapter keeps them, only the overrides."""
    cluster = MemoryCluster(brokers=3)
    for name, topic in data["topics"].items():
        config = {c["name"]: c["value"] for c in topic["configs"] if c["source"] == "DYNAMIC_TOPIC_CONFIG"}
        config.update({k: v for (t, k), v in drift.items() if t == name})
        cluster.add_topic(name, topic["partitions"], topic["replication_factor"], **config)
    return cluster


def example(tmp_path: Path, platform: str) -> Catalog:
    """The example catalog with environment `prod` on `platform`. On Confluent Cloud, whose docs say
    compression.type is not editable, lint refuses notifications.sent's zstd for prod (checked below):
    that topic is planned without it, as the user would have to write it."""
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    settings = root / "kgov.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace("  prod:\n", f"  prod:\n    platform: {platform}\n", 1), encoding="utf-8"
    )
    if platform == "confluent-cloud":
        refused = [d for d in lint(load_catalog(root)) if d.rule == "platform-config-not-settable"]
        assert [(Path(d.location.file).name, d.location.line) for d in refused] == [
            ("notifications.yaml", 10)
        ]
        topics = root / "topics" / "notifications.yaml"
        body = topics.read_text(encoding="utf-8")
        topics.write_text(body.replace(", compression.type: zstd", ""), encoding="utf-8")
    loaded = load_catalog(root)
    assert not any(d.is_error for d in lint(loaded))
    catalog = loaded.catalog
    assert catalog.settings.environments["prod"].platform == platform
    return catalog


def plan(catalog: Catalog, cluster: MemoryCluster, platform: str | None = None) -> list[Entry]:
    if platform is not None:  # the same catalog, its prod environment on another platform
        envs = dict(catalog.settings.environments)
        envs["prod"] = replace(envs["prod"], platform=platform)
        catalog = replace(catalog, settings=replace(catalog.settings, environments=envs))
    return list(
        make_plan(catalog, "prod", Backends(kafka=cluster), allow_delete=False, kinds=TOPIC_KIND).entries
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_own_profile_shows_no_drift_and_apache_shows_the_platforms_overrides(
    tmp_path: Path, platform: str
) -> None:
    catalog = example(tmp_path, platform)
    data = answers(platform)
    assert set(data["topics"]) == {t.name for t in catalog.topics()}
    assert plan(catalog, twin(data)) == []
    apache = plan(catalog, twin(data), "apache")
    assert len(apache) == FALSE_DIFFS[platform]
    # every false diff is a reset of a key the platform itself put there
    for entry in apache:
        assert entry.action == "update" and all(c.detail == "reset" for c in entry.changes), entry


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_real_drift_is_found_under_every_profile(tmp_path: Path, platform: str) -> None:
    catalog = example(tmp_path, platform)
    data = answers(platform)
    drift = {
        ("orders.created", "retention.ms"): "86400000",  # the catalog says 7d
        ("users.registered", "cleanup.policy"): "compact",  # the catalog sets none: delete is wanted
        ("payments.failed", "min.insync.replicas"): "1",  # the catalog says 2
    }
    for profile in (platform, "apache"):
        entries = {e.name: e for e in plan(catalog, twin(data, drift), profile)}
        for (topic, key), value in drift.items():
            change = next(c for c in entries[topic].changes if c.field == f"config.{key}")
            assert change.before == value
        if profile == platform:  # and nothing else: no false diff beside the real ones
            assert sorted(entries) == ["orders.created", "payments.failed", "users.registered"]
            assert {c.field for c in entries["orders.created"].changes} == {"config.retention.ms"}


def test_the_platforms_reset_goes_back_to_its_own_default(tmp_path: Path) -> None:
    catalog = example(tmp_path, "confluent-cloud")
    drift = {("users.registered", "cleanup.policy"): "compact"}
    (entry,) = plan(catalog, twin(answers("confluent-cloud"), drift))
    (change,) = entry.changes
    assert (change.detail, change.after, change.default) == ("reset", None, "delete")
    (mis,) = [
        c
        for c in plan(
            catalog, twin(answers("confluent-cloud"), {("users.registered", "min.insync.replicas"): "1"})
        )
        for c in c.changes
    ]
    assert (mis.detail, mis.before, mis.after) == ("set", "1", "2")
