"""ownership.ignore_configs: globs of config keys kgov never resets as drift (default confluent.*)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kgov.catalog.load import load_catalog
from kgov.catalog.model import DEFAULT_IGNORE_CONFIGS
from kgov.kafka_configs import ignored_config
from tests.support import kgov, topic_doc, write_catalog


@pytest.mark.parametrize(
    ("key", "patterns", "ignored"),
    [
        ("confluent.placement.constraints", DEFAULT_IGNORE_CONFIGS, True),
        ("confluent.key.schema.validation", ["confluent.*"], True),
        ("retention.ms", DEFAULT_IGNORE_CONFIGS, False),
        ("Confluent.x", ["confluent.*"], False),  # Kafka's names are case-sensitive
        ("leader.replication.throttled.replicas", ["*.throttled.replicas"], True),
        ("x.y", ["x.?"], True),
        ("x.y", [], False),
        ("a" * 2000, ["a*"], False),  # over-long keys match nothing
        ("abc", ["a" + "*" * 300], False),  # over-long patterns match nothing
    ],
)
def test_ignored_config(key: str, patterns: list[str], ignored: bool) -> None:
    assert ignored_config(key, patterns) is ignored


def test_a_hostile_glob_is_fast() -> None:
    started = time.monotonic()
    assert not ignored_config("a" * 1000 + "b", ["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c"])
    assert time.monotonic() - started < 10  # a hang bound, not a speed target


def test_default_and_configured_lists_load(tmp_path: Path) -> None:
    default = load_catalog(write_catalog(tmp_path / "a", {"svc": [topic_doc("svc.a")]}))
    assert default.catalog.settings.ownership.ignore_configs == (
        "confluent.*",
        "*.replication.throttled.replicas",
    )
    ownership = {"protected": ["__*"], "ignore_configs": ["vendor.*", "confluent.*"]}
    loaded = load_catalog(write_catalog(tmp_path / "b", {"svc": [topic_doc("svc.a")]}, ownership=ownership))
    assert not [d for d in loaded.diagnostics if d.is_error]
    assert loaded.catalog.settings.ownership.ignore_configs == ("vendor.*", "confluent.*")


def test_ignore_configs_must_be_a_list_of_globs(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"svc": [topic_doc("svc.a")]}, ownership={"ignore_configs": "confluent.*"})
    result = kgov("lint", str(root), "--format", "json")
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "structure"]
    assert found and "ownership.ignore_configs: expected a list" in found[0]["message"]


def test_a_topic_setting_an_ignored_key_is_a_warning(tmp_path: Path) -> None:
    topic = topic_doc("svc.a")
    topic["config"] = {"leader.replication.throttled.replicas": "*"}
    root = write_catalog(tmp_path, {"svc": [topic]}, ownership={"ignore_configs": ["*.throttled.replicas"]})
    result = kgov("lint", str(root), "--format", "json")
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "ignored-config"]
    assert len(found) == 1
    assert found[0]["severity"] == "warning"
    assert found[0]["file"].endswith("topics/svc.yaml") and found[0]["line"] > 1
    assert "'*.throttled.replicas'" in found[0]["message"]
