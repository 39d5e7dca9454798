"""The profiles as data: every entry sourced, the names kgov.yaml admits, and the diff's use of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.kafka_configs import TOPIC_CONFIGS, normalize
from kgov.kinds.topics.apply import topic_visible
from kgov.kinds.topics.diff import config_changes
from kgov.kinds.topics.observe import ObservedTopics
from kgov.plan.model import Change, Entry
from kgov.platforms import DEFAULT, NAMES, ProfileError, parse, profile
from kgov.state import TopicSpec

SCHEMA = Path(__file__).resolve().parents[3] / "kgov" / "catalog" / "schemas" / "kgov.schema.json"


def test_kgov_yaml_admits_exactly_the_profiles_and_apache_is_empty() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert tuple(schema["$defs"]["environment"]["properties"]["platform"]["enum"]) == NAMES
    apache = profile(DEFAULT)
    assert (apache.ignore_topic_configs, apache.topic_defaults, apache.facts) == ((), {}, {})


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_names_an_https_page_and_why(name: str) -> None:
    p = profile(name)
    for key, fact in p.facts.items():
        assert fact.source.url.startswith("https://") and fact.source.title and fact.why, key
    # every entry the diff and lint use is a sourced fact
    for pattern in p.ignore_topic_configs:
        assert p.fact("topic_configs.ignore", pattern) is not None
    for key, value in p.topic_defaults.items():
        assert p.fact("topic_configs.defaults", key) is not None
        assert normalize(key, value) == value  # in Kafka's form already
    for key in p.limits.ranges:
        assert key in TOPIC_CONFIGS and p.fact("topic_configs.ranges", key) is not None
    assert set(p.limits.not_settable) <= set(TOPIC_CONFIGS)


def test_the_broker_kind_gets_its_own_list() -> None:
    for name in NAMES:
        assert isinstance(profile(name).ignore_broker_configs, tuple)


def test_an_unknown_name_is_refused_with_the_closest() -> None:
    with pytest.raises(ProfileError, match="did you mean 'confluent-cloud'"):
        profile("confluent-clod")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"colour": 1}, "unknown field 'colour'"),
        ({"sources": {"a": {"url": "http://x", "title": "t"}}}, "https url"),
        ({"topic_configs": {"ignore": {"x.*": {"why": "w"}}}}, "needs a source"),
        (
            {
                "sources": {"a": {"url": "https://x", "title": "t"}},
                "topic_configs": {"defaults": {"retention.msec": {"value": 1, "source": "a", "why": "w"}}},
            },
            "not a Kafka 4 topic config",
        ),
    ],
)
def test_a_broken_profile_file_says_what_is_wrong(data: object, says: str) -> None:
    with pytest.raises(ProfileError, match=says):
        parse("x", data)


def test_a_catalog_value_equal_to_the_platforms_default_needs_no_override() -> None:
    msk = profile("msk").topic_defaults  # MSK's brokers default unclean.leader.election.enable to true
    wanted = {"unclean.leader.election.enable": "true"}
    assert config_changes(wanted, {}, (), msk) == []
    (change,) = config_changes(wanted, {}, (), {})  # Apache Kafka's default is false: set it
    assert (change.detail, change.after) == ("set", "true")
    # a value the platform does not default to is still set
    assert config_changes({"unclean.leader.election.enable": "false"}, {}, (), msk)[0].detail == "set"


def test_an_override_equal_to_the_platforms_default_is_no_drift_and_any_other_is() -> None:
    cc = profile("confluent-cloud").topic_defaults
    assert config_changes({}, {"cleanup.policy": "delete", "min.insync.replicas": "2"}, (), cc) == []
    (change,) = config_changes({}, {"min.insync.replicas": "1"}, (), cc)
    assert (change.detail, change.before, change.default) == ("reset", "1", "2")


def test_a_reset_shows_as_the_key_gone_or_as_the_default_the_platform_reports() -> None:
    entry = Entry(
        address="topic.t",
        kind="topic",
        name="t",
        action="update",
        changes=(Change("config.cleanup.policy", "compact", None, "reset", "delete"),),
    )
    for config, shown in (
        ({}, True),
        ({"cleanup.policy": "delete"}, True),
        ({"cleanup.policy": "compact"}, False),
    ):
        state = ObservedTopics({"t": TopicSpec("t", 3, 3, config)})
        assert topic_visible(entry, state) is shown, config
