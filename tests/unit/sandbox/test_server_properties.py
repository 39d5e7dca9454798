"""`kgov sandbox up --server-property KEY=VALUE`: checked, remembered, written into every node's config
(no Java needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgov.cli.sandbox import app
from kgov.errors import SandboxError
from kgov.sandbox.nodes import kafka_nodes
from kgov.sandbox.properties import checked, parse, shown
from kgov.sandbox.render import parse_properties, render_server_properties
from kgov.sandbox.settings import Overrides, Settings, apply_overrides, from_json, to_json

OPEN = (("allow.everyone.if.no.acl.found", "true"), ("auto.create.topics.enable", "true"))


def _configs(settings: Settings) -> dict[str, dict[str, str]]:
    out = {}
    for node in kafka_nodes(settings):
        text = render_server_properties(
            settings,
            data_dir=Path("/d"),
            keystore_file=Path("/k.p12"),
            keystore_password="pw",
            ca_file=Path("/ca.pem"),
            node=node,
        )
        assert "${" not in text
        keys = [ln.partition("=")[0] for ln in text.splitlines() if ln and not ln.startswith("#")]
        assert len(keys) == len(set(keys)), "a key is written once: the template's line is replaced"
        out[node.name] = parse_properties(text)
    return out


def test_parse_sorts_and_strips() -> None:
    assert parse(["auto.create.topics.enable = true", "allow.everyone.if.no.acl.found=true"]) == OPEN
    assert parse(["log.cleaner.threads=2", "a.b=x=y"]) == (("a.b", "x=y"), ("log.cleaner.threads", "2"))


def test_the_sandbox_starts_with_them_in_place_of_its_own() -> None:
    default = _configs(Settings())["kafka"]
    assert default["auto.create.topics.enable"] == "false"
    assert "allow.everyone.if.no.acl.found" not in default  # Kafka's default: false
    config = _configs(Settings(server_properties=(*OPEN, ("log.cleaner.threads", "3"))))["kafka"]
    assert config["auto.create.topics.enable"] == "true"
    assert config["allow.everyone.if.no.acl.found"] == "true"
    assert config["log.cleaner.threads"] == "3"
    assert config["listeners"] == default["listeners"]  # the rest as before


def test_every_node_of_a_multi_broker_sandbox_gets_them() -> None:
    configs = _configs(Settings(brokers=2, server_properties=OPEN))
    assert set(configs) == {"controller", "broker-1", "broker-2"}
    assert all(c["allow.everyone.if.no.acl.found"] == "true" for c in configs.values())


def test_a_backslash_and_a_leading_blank_survive_the_properties_format() -> None:
    text = render_server_properties(
        Settings(server_properties=(("x.path", "C:\\dir"),)),
        data_dir=Path("/d"),
        keystore_file=Path("/k"),
        keystore_password="pw",
        ca_file=Path("/c"),
    )
    assert "x.path=C:\\\\dir" in text


def test_they_are_remembered_and_replaced_or_forgotten() -> None:
    saved = apply_overrides(Settings(), Overrides(server_properties=OPEN))
    doc = json.loads(to_json(saved))
    assert doc["server_properties"] == dict(OPEN)  # an object in the state folder's file
    again = apply_overrides(from_json(to_json(saved), Path("s.json")), Overrides())
    assert again.server_properties == OPEN
    other = apply_overrides(again, Overrides(server_properties=(("log.cleaner.threads", "2"),)))
    assert other.server_properties == (("log.cleaner.threads", "2"),)
    assert apply_overrides(again, Overrides(server_properties=())).server_properties == ()


def test_older_settings_files_have_none() -> None:
    older = json.loads(to_json(Settings()))
    del older["server_properties"]
    assert from_json(json.dumps(older), Path("s.json")).server_properties == ()


def test_a_hand_edited_settings_file_is_checked_too() -> None:
    doc = json.loads(to_json(Settings()))
    doc["server_properties"] = {"listeners": "PLAINTEXT://0.0.0.0:1"}
    with pytest.raises(SandboxError, match="the sandbox sets listeners itself"):
        from_json(json.dumps(doc), Path("s.json"))
    doc["server_properties"] = ["not", "an object"]
    with pytest.raises(SandboxError, match="cannot read the sandbox settings"):
        from_json(json.dumps(doc), Path("s.json"))


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["auto.create.topics.enable"], "has no '='"),
        (["listeners=PLAINTEXT://0.0.0.0:9"], "the sandbox sets listeners itself"),
        (["authorizer.class.name=x"], "the sandbox sets authorizer.class.name itself"),
        (["listener.name.sasl_ssl.ssl.client.auth=none"], "sets listener.name.sasl_ssl.ssl.client.auth"),
        (["controller.quorum.voters=1@x:1"], "sets controller.quorum.voters itself"),
        (["broker.rack=r1"], "sets broker.rack itself"),
        (["log.dirs=/tmp/x"], "sets log.dirs itself"),
        (["=true"], "invalid server property name ''"),
        (["bad key=1"], "invalid server property name 'bad key'"),
        (["a.b=1", "a.b=2"], "a.b is given twice"),
        (["a.b=line\nx=y"], "printable ASCII without line breaks"),
        (["a.b=café"], "printable ASCII"),
        (["super.users=User:admin"], "super.users must keep User:ANONYMOUS"),
        (["super.users=User:ANONYMOUS"], "super.users must keep User:admin"),
    ],
)
def test_bad_properties_are_refused(given: list[str], message: str) -> None:
    with pytest.raises(SandboxError, match=message):
        parse(given)


def test_the_hint_names_the_option_that_changes_an_owned_key() -> None:
    with pytest.raises(SandboxError) as info:
        parse(["broker.rack=r1"])
    assert info.value.hint == "use --racks instead"


def test_super_users_may_add_principals_to_those_the_sandbox_needs() -> None:
    value = "User:ANONYMOUS;User:admin;User:ops"
    assert checked([("super.users", value)]) == (("super.users", value),)


def test_secret_looking_values_are_not_shown() -> None:
    assert shown((("a.password", "s3cret"), ("b", "1"))) == "a.password=(hidden), b=1"


def test_the_command_line_refuses_an_owned_key_before_starting_anything(tmp_path: Path) -> None:
    state = tmp_path / "sb"
    result = CliRunner().invoke(
        app, ["up", "--state-dir", str(state), "--server-property", "listeners=PLAINTEXT://:1"]
    )
    assert result.exit_code == 1
    assert "the sandbox sets listeners itself" in result.output
    assert "Traceback" not in result.output
    assert not state.exists()  # nothing started, nothing written


def test_forgetting_and_giving_together_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["up", "--state-dir", str(tmp_path), "--server-property", "a.b=1", "--no-server-properties"],
    )
    assert result.exit_code == 1
    assert "given together" in result.output
