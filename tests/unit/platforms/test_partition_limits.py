"""Partition limits of a profile (platform-topic-shape). None of the shipped profiles has a documented,
unconditional one yet, so the rule is checked here with a profile that has both."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kgov.catalog.load import load_catalog
from kgov.platforms import Fact, Limits, Source, profile
from kgov.policy import lint
from kgov.policy import platforms as rules

TOPICS = (
    "service: orders\nowner: o\ntopics:\n"
    "  - name: orders.created\n    description: d\n    partitions: 60\n    replication_factor: 3\n"
    "    config: {min.insync.replicas: 2}\n"
    "  - name: orders.paid\n    description: d\n    partitions: 12\n    replication_factor: 3\n"
    "    config: {min.insync.replicas: 2}\n"
)
SETTINGS = "version: 1\nenvironments:\n  prod:\n    platform: msk\n    kafka: {bootstrap_servers: 'k:9092'}\n"


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Source("https://example.invalid/limits", "Limits")
    base = profile("msk")
    facts = {
        **base.facts,
        "limits.max_partitions_per_topic": Fact("max_partitions_per_topic", "at most 50 a topic", page),
        "limits.max_partitions_per_cluster": Fact("max_partitions_per_cluster", "at most 70 in all", page),
    }
    limits = replace(Limits(), max_partitions_per_topic=50, max_partitions_per_cluster=70)
    monkeypatch.setattr(rules, "profile", lambda name: replace(base, limits=limits, facts=facts))


def findings(tmp_path: Path, settings: str = SETTINGS) -> list[tuple[str, int, str]]:
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "orders.yaml").write_text(TOPICS, encoding="utf-8")
    (tmp_path / "kgov.yaml").write_text(settings, encoding="utf-8")
    return [
        (Path(d.location.file).name, d.location.line, d.message)
        for d in lint(load_catalog(tmp_path))
        if d.rule == "platform-topic-shape"
    ]


def test_a_topic_above_the_per_topic_maximum_and_a_catalog_above_the_total(
    tmp_path: Path, limited: None
) -> None:
    found = findings(tmp_path)
    assert [(f, line) for f, line, _ in found] == [("kgov.yaml", 4), ("orders.yaml", 6)]
    assert "72 partitions, above Amazon MSK's 70: at most 70 in all (Limits <https://" in found[0][2]
    assert (
        "60 partitions is above the maximum of 50 per topic on Amazon MSK (environment 'prod')" in found[1][2]
    )


def test_the_environments_override_is_what_counts(tmp_path: Path, limited: None) -> None:
    settings = SETTINGS + "    overrides: {partitions: 30}\n"
    found = findings(tmp_path, settings)
    assert [(f, line) for f, line, _ in found] == []  # 2 topics x 30 = 60: under both


def test_apache_environments_are_not_checked(tmp_path: Path, limited: None) -> None:
    assert findings(tmp_path, SETTINGS.replace("platform: msk", "platform: apache")) == []
