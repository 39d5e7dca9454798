"""Governance bypasses in the live broker settings (kgov/kinds/brokers/governance.py): for each setting,
a table of broker answers where the finding fires (with its severity and the brokers it names) and
where it does not; each finding says why and what to set."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from kgov.catalog.model import (
    AccessFile,
    Catalog,
    ClusterFile,
    Environment,
    Ownership,
    Settings,
    Source,
)
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.broker_port import BrokerConfigs, BrokerConfigValue
from kgov.kinds.base import SEVERITIES, Violation
from kgov.kinds.brokers.governance import findings

SRC = Source("kgov.yaml", YamlDoc({}, {}))
ENV = "prod"
STATIC = "STATIC_BROKER_CONFIG"
HIDDEN = object()  # a setting Kafka answers as sensitive: present, no value

# What a healthy broker answers (as Kafka 4.3 does, the authorizer's settings aside).
SAFE: dict[str, object] = {
    "auto.create.topics.enable": "false",
    "delete.topic.enable": "false",
    "unclean.leader.election.enable": "false",
    "min.insync.replicas": "2",
    "default.replication.factor": "3",
    "listeners": "SASL_SSL://b:9093,CONTROLLER://b:9094",
    "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "ssl.client.auth": "none",
}


def _value(raw: object) -> BrokerConfigValue:
    if raw is HIDDEN:
        return BrokerConfigValue(None, STATIC, sensitive=True, read_only=True)
    return BrokerConfigValue(str(raw), STATIC)


def _configs(*brokers: Mapping[str, object], default: Mapping[str, object] | None = None) -> BrokerConfigs:
    return BrokerConfigs(
        default={k: _value(v) for k, v in (default or {}).items()},
        brokers={i: {k: _value(v) for k, v in {**SAFE, **b}.items()} for i, b in enumerate(brokers, 1)},
        errors={},
    )


def _catalog(*, delete: bool = False, super_users: str | None = None, protocol: str = "SASL_SSL") -> Catalog:
    env = Environment(SRC, (), name=ENV, kafka={"bootstrap_servers": "b:9093", "security_protocol": protocol})
    settings = Settings(SRC, (), ownership=Ownership(delete=delete), environments={ENV: env})
    orders = AccessFile(SRC, (), service="orders", principal="User:orders")
    files = {}
    if super_users is not None:
        files[ENV] = ClusterFile(SRC, (), environment=ENV, settings={"super.users": super_users})
    return Catalog(Path("."), settings, access_files=(orders,), cluster_files=files)


def _find(
    configs: BrokerConfigs, catalog: Catalog | None = None, admin: str | None = "kgov"
) -> list[Violation]:
    cat = catalog or _catalog()
    found = findings(configs, cat, cat.settings.environments[ENV], admin)
    for v in found:
        assert v.kind == "broker" and v.severity in SEVERITIES
        assert v.hint, f"every governance finding says what to do: {v}"
    return found


def _rules(found: list[Violation]) -> list[tuple[str, str, str]]:
    return [(v.rule, v.name, v.severity) for v in found]


def test_a_healthy_cluster_has_no_finding() -> None:
    assert _find(_configs({}, {}, {})) == []


def test_what_could_not_be_read_is_said() -> None:
    assert _rules(_find(BrokerConfigs({}, {}, {"default": "denied", "1": "denied"}))) == [
        ("broker-settings-unread", "1", "warning"),
        ("broker-settings-unread", "default", "warning"),
    ]
    # the brokers' own answers hold the effective values: the default's failure changes nothing
    configs = _configs({})
    partly = BrokerConfigs(configs.default, configs.brokers, {"default": "denied", "2": "timed out"})
    (one,) = _find(partly)
    assert (one.rule, one.name) == ("broker-settings-unread", "2")
    assert "broker 2 could not be read (timed out)" in one.message


# (broker settings over SAFE, the findings expected)
CASES: list[tuple[str, dict[str, object], list[tuple[str, str, str]]]] = [
    ("auto-create on", {"auto.create.topics.enable": "true"},
     [("auto-create-topics", "auto.create.topics.enable", "error")]),
    ("auto-create TRUE", {"auto.create.topics.enable": "TRUE"},
     [("auto-create-topics", "auto.create.topics.enable", "error")]),
    ("auto-create off", {"auto.create.topics.enable": "false"}, []),
    ("allow-everyone on", {"allow.everyone.if.no.acl.found": "true"},
     [("allow-everyone-if-no-acl", "allow.everyone.if.no.acl.found", "error")]),
    ("allow-everyone off", {"allow.everyone.if.no.acl.found": "false"}, []),
    ("allow-everyone hidden", {"allow.everyone.if.no.acl.found": HIDDEN},
     [("allow-everyone-if-no-acl", "allow.everyone.if.no.acl.found", "warning")]),
    ("unclean on", {"unclean.leader.election.enable": "true"},
     [("unclean-leader-election", "unclean.leader.election.enable", "error")]),
    ("unclean off", {"unclean.leader.election.enable": "false"}, []),
    ("min isr 1 with rf 3", {"min.insync.replicas": "1"},
     [("min-insync-default", "min.insync.replicas", "warning")]),
    ("min isr 1 with rf 1", {"min.insync.replicas": "1", "default.replication.factor": "1"}, []),
    ("min isr 2 with rf 3", {"min.insync.replicas": "2"}, []),
    ("delete enabled", {"delete.topic.enable": "true"},
     [("delete-topic-enable", "delete.topic.enable", "info")]),
    ("plaintext listener", {"listeners": "PLAINTEXT://b:9092,SASL_SSL://b:9093",
                            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL"},
     [("unauthenticated-listener", "PLAINTEXT://b:9092", "error")]),
    ("a listener named otherwise, mapped to PLAINTEXT",
     {"listeners": "INTERNAL://b:9092,SASL_SSL://b:9093",
      "listener.security.protocol.map": "INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL"},
     [("unauthenticated-listener", "INTERNAL://b:9092", "error")]),
    ("no map: the listener's name is its protocol", {"listeners": "PLAINTEXT://b:9092",
                                                     "listener.security.protocol.map": HIDDEN},
     [("unauthenticated-listener", "PLAINTEXT://b:9092", "error")]),
    ("the controller's own PLAINTEXT listener is not a client's",
     {"listeners": "SASL_SSL://b:9093,CONTROLLER://b:9094"}, []),
    ("SSL without client certificates", {"listeners": "SSL://b:9095"},
     [("unauthenticated-listener", "SSL://b:9095", "error")]),
    ("SSL requiring client certificates", {"listeners": "SSL://b:9095", "ssl.client.auth": "required"}, []),
    ("SSL requiring them on that listener", {"listeners": "SSL://b:9095",
                                             "listener.name.ssl.ssl.client.auth": "required"}, []),
    ("SSL whose own setting is hidden: nothing to say", {"listeners": "SSL://b:9095",
                                                         "listener.name.ssl.ssl.client.auth": HIDDEN}, []),
]  # fmt: skip


@pytest.mark.parametrize(("settings", "expected"), [(s, e) for _, s, e in CASES], ids=[c[0] for c in CASES])
def test_each_setting_fires_or_not(settings: dict[str, object], expected: list[tuple[str, str, str]]) -> None:
    assert _rules(_find(_configs(settings))) == expected


def test_a_finding_names_the_brokers_it_holds_on() -> None:
    found = _find(_configs({"auto.create.topics.enable": "true"}, {}, {"auto.create.topics.enable": "true"}))
    (one,) = found
    assert "true on brokers 1, 3:" in one.message
    (single,) = _find(_configs({}, {"unclean.leader.election.enable": "true"}))
    assert "true on broker 2:" in single.message


def test_two_values_on_two_brokers_are_two_findings_only_when_both_bypass() -> None:
    found = _find(
        _configs(
            {"min.insync.replicas": "1"}, {"min.insync.replicas": "1", "default.replication.factor": "1"}
        )
    )
    (one,) = found
    assert "is 1 on broker 1 while default.replication.factor is 3" in one.message


def test_the_cluster_default_alone_when_no_broker_was_read() -> None:
    configs = BrokerConfigs(
        default={"unclean.leader.election.enable": _value("true")}, brokers={}, errors={"1": "denied"}
    )
    unclean, unread = _find(configs)  # errors first
    assert unread.rule == "broker-settings-unread" and "true in the cluster default" in unclean.message


def test_why_and_what_to_set() -> None:
    (auto,) = _find(_configs({"auto.create.topics.enable": "true"}))
    assert "creates it" in auto.message and "outside the catalog" in auto.message
    assert auto.hint is not None and "auto.create.topics.enable=false" in auto.hint
    (everyone,) = _find(_configs({"allow.everyone.if.no.acl.found": "true"}))
    assert "open to every client" in everyone.message
    assert everyone.hint is not None and "allow.everyone.if.no.acl.found=false" in everyone.hint
    (hidden,) = _find(_configs({"allow.everyone.if.no.acl.found": HIDDEN}))
    assert "does not show its value" in hidden.message and "most likely" in hidden.message


# -- super users --------------------------------------------------------------------------------


def test_kgovs_own_login_is_a_super_user_without_a_finding() -> None:
    assert _find(_configs({"super.users": "User:kgov"})) == []


def test_super_users_beyond_kgov_and_the_catalog() -> None:
    found = _find(_configs({"super.users": "User:kgov;User:ANONYMOUS;User:orders;User:ghost"}))
    assert _rules(found) == [
        ("super-users", "User:ANONYMOUS", "error"),
        ("super-users", "User:ghost", "error"),
        ("super-users", "User:orders", "warning"),  # declared: its ACLs are not enforced
    ]
    anonymous = found[0]
    assert "without authentication" in anonymous.message
    assert "service 'orders'" in found[2].message


def test_super_users_the_cluster_file_names_are_accepted() -> None:
    cat = _catalog(super_users="User:ops; User:kgov")
    assert _find(_configs({"super.users": "User:kgov;User:ops"}), cat) == []


def test_without_a_login_kgov_is_not_assumed() -> None:
    assert _rules(_find(_configs({"super.users": "User:kgov"}), admin=None)) == [
        ("super-users", "User:kgov", "error")
    ]


def test_hidden_super_users_are_said_to_be_unreadable() -> None:
    (one,) = _find(_configs({"super.users": HIDDEN}))
    assert (one.rule, one.name, one.severity) == ("super-users", "super.users", "info")
    assert "does not show its value" in one.message and "User:kgov" in one.message


# -- listeners and the environment --------------------------------------------------------------


@pytest.mark.parametrize(("protocol", "fires"), [("SASL_SSL", True), ("SSL", True), ("SASL_PLAINTEXT", True),
                                                 ("PLAINTEXT", False)])  # fmt: skip
def test_an_open_listener_matters_where_the_environment_authenticates(protocol: str, fires: bool) -> None:
    configs = _configs(
        {"listeners": "PLAINTEXT://b:9092", "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT"}
    )
    found = _find(configs, _catalog(protocol=protocol))
    assert bool(found) is fires
    if fires:
        assert f"connects with {protocol}" in found[0].message


def test_delete_topic_says_what_the_catalog_does() -> None:
    (kept,) = _find(_configs({"delete.topic.enable": "true"}), _catalog(delete=False))
    assert "the catalog deletes no topic" in kept.message
    assert kept.hint is not None and "delete.topic.enable=false" in kept.hint
    (deleting,) = _find(_configs({"delete.topic.enable": "true"}), _catalog(delete=True))
    assert "kgov deletes owned topics" in deleting.message
    assert deleting.hint is not None and "delete.topic.enable=false" not in deleting.hint


def test_errors_come_first() -> None:
    found = _find(
        _configs(
            {"delete.topic.enable": "true", "min.insync.replicas": "1", "auto.create.topics.enable": "true"}
        )
    )
    assert [v.severity for v in found] == ["error", "warning", "info"]
