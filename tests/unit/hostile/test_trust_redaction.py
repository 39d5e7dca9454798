"""Probe hole 2 (issue 18): no part of a secret gets past redaction.

The library texts below are what librdkafka and kgov's registry client printed in the probe, run
for real (`PW=Xyz,Tail`: "Failed to resolve 'Tail:9092'"; a registry host from a reference came
back lower-cased). The commands are not run against unknown host names here: resolving one would
send a DNS query off 127.0.0.1; what is checked is every path a foreign text takes to the user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from kgov import secrets
from kgov.cli.exits import outcome
from kgov.engine.apply import apply_plan
from kgov.errors import KgovError
from kgov.kinds.base import Backends
from kgov.plan.model import Entry, Plan
from kgov.policy import engine
from kgov.policy.registry import Rule
from kgov.redact import redact
from kgov.secrets import mark_secret_references, resolve_refs
from tests.support import write_catalog


def _password(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    return resolve_refs(f"${{env:{name}}}", "environments.prod.kafka.password")


def test_a_secret_in_bootstrap_servers_is_redacted_in_every_part(monkeypatch: pytest.MonkeyPatch) -> None:
    _password(monkeypatch, "TRUST_PW1", "Xyz,Tail")  # the same variable is the password too
    resolve_refs("${env:TRUST_PW1}", "environments.prod.kafka.bootstrap_servers")
    for echoed in ("Failed to resolve 'Tail:9092'", "sasl_plaintext://Xyz:9092/bootstrap", "tail", "XYZ"):
        said = KgovError(echoed).message
        assert "tail" not in said.lower() and "xyz" not in said.lower(), said
        assert "${env:TRUST_PW1}" in said


def test_the_text_before_a_colon_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    _password(monkeypatch, "TRUST_PW2", "Sekr3tHead:Tail99")
    said = KgovError("Failed to resolve 'Sekr3tHead:0': Name or service not known").message
    assert (
        "Sekr3tHead" not in said
        and said == "Failed to resolve '${env:TRUST_PW2}:0': Name or service not known"
    )


def test_cuts_on_at_slash_semicolon_and_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    _password(monkeypatch, "TRUST_PW3", "alpha@beta/gamma;delta epsilon")
    said = redact("alpha beta gamma delta epsilon")
    assert not any(word in said for word in ("alpha", "beta", "gamma", "delta", "epsilon")), said


def test_a_registry_host_from_a_reference_is_redacted_lower_cased_and_encoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRUST_HOST", "SeCrEtHoSt")
    resolve_refs("http://${env:TRUST_HOST}.invalid/", "environments.prod.schema_registry.url")
    said = KgovError("the Schema Registry at http://secrethost.invalid/ is unreachable").message
    assert "secrethost" not in said.lower()
    _password(monkeypatch, "TRUST_PW4", "p@ss w0rd/x")
    assert "p%40ss%20w0rd%2Fx" not in redact("GET /?token=p%40ss%20w0rd%2Fx")


def test_a_reference_written_in_a_secret_field_anywhere_is_secret_in_every_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`${env:PROD_KAFKA_PASSWORD}` moved into another environment's bootstrap_servers."""
    monkeypatch.setenv("TRUST_PW5", "Head5,Tail5")
    mark_secret_references(["${env:TRUST_PW5}"])
    resolve_refs("${env:TRUST_PW5}", "environments.local.kafka.bootstrap_servers")
    assert "Tail5" not in redact("Failed to resolve 'Tail5:9092'")


def test_a_host_list_is_redacted_whole_but_its_hosts_stay_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUST_HOSTS", "broker-one.example:9092,broker-two.example:9092")
    resolve_refs("${env:TRUST_HOSTS}", "environments.prod.kafka.bootstrap_servers")
    assert redact("broker-one.example:9092,broker-two.example:9092") == "${env:TRUST_HOSTS}"
    assert redact("the registry at broker-one.example:8081") == "the registry at broker-one.example:8081"


def test_an_internal_error_line_is_redacted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _password(monkeypatch, "TRUST_PW6", "Internal6Secret")

    def boom() -> int:
        raise RuntimeError("library said internal6secret:1")

    assert outcome(boom) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "internal6secret" not in err.lower()


class _FailingKind:
    name = "topic"
    backend = "kafka"
    title = "topics"
    order: Mapping[str, int] = {"create": 1}

    def apply(self, backend: Any, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        raise ValueError("the client refused Apply7Secret")


def test_an_apply_failure_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    _password(monkeypatch, "TRUST_PW7", "Apply7Secret")
    entry = Entry("topic.a", "topic", "a", "create")
    plan = Plan("prod", {"topic": {}}, "d", "f", (entry,), {})
    (result,) = apply_plan(plan, Backends(kafka=object()), kinds=[_FailingKind()])  # type: ignore[list-item]
    assert (
        result.error is not None and "Apply7Secret" not in result.error and "${env:TRUST_PW7}" in result.error
    )


def test_a_rules_internal_error_is_redacted(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    _password(monkeypatch, "TRUST_PW8", "Rule8Secret")

    def broken(_ctx: Any) -> Any:
        raise RuntimeError("rule8secret leaked")

    rule = Rule("broken", "broken", "structure", engine.Severity.ERROR, "m", "h", "d", check=broken)
    monkeypatch.setattr(engine, "rules", lambda: (rule,))
    from kgov.catalog.load import load_catalog

    found = engine.check(load_catalog(write_catalog(tmp_path / "c", {})).catalog)
    assert found and all("rule8secret" not in d.message.lower() for d in found)


def test_redaction_state_is_the_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short fragments (under 3 characters) are not searched: they would garble every message."""
    _password(monkeypatch, "TRUST_PW9", "ab,Longer9Part")
    assert redact("ab") == "ab" and "Longer9Part" not in redact("x Longer9Part y")
    assert secrets.is_secret_field("the SCRAM password of User:x")


@pytest.mark.parametrize("where", ["same-environment", "another-environment"])
def test_the_real_client_never_shows_part_of_the_password(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """librdkafka names the one broker of the list it failed on; the list is the password here.
    Loopback addresses with nothing listening: no traffic leaves 127.0.0.1, no DNS is asked."""
    import yaml

    from tests.support import kgov

    monkeypatch.setenv("TRUST_PWR", "127.0.0.77:1,127.0.0.78:1")
    kafka: dict[str, Any] = {
        "bootstrap_servers": "${env:TRUST_PWR}",
        "security_protocol": "SASL_PLAINTEXT",
        "username": "svc",
        "password": "${env:TRUST_PWR}",
        "timeout_ms": 1500,
    }
    environments: dict[str, Any] = {"prod": {"kafka": kafka}}
    if where == "another-environment":
        kafka["password"] = "${env:TRUST_OTHER}"
        environments["other"] = {
            "kafka": {"bootstrap_servers": "127.0.0.1:1", "password": "${env:TRUST_PWR}"}
        }
        monkeypatch.setenv("TRUST_OTHER", "unrelated")
    cat = tmp_path / "catalog"
    cat.mkdir()
    (cat / "kgov.yaml").write_text(yaml.safe_dump({"version": 1, "environments": environments}))
    result = kgov("plan", "--env", "prod", "--catalog", str(cat))
    assert result.code == 1
    assert "127.0.0.7" not in result.output and "${env:TRUST_PWR}" in result.output, result.output


class _RefusedKind(_FailingKind):
    def apply(self, backend: Any, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        return {e.address: "the registry at http://refused9secret.invalid/ said no" for e in entries}


def test_a_kinds_own_failure_message_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUST_HOST9", "Refused9Secret")
    resolve_refs("http://${env:TRUST_HOST9}.invalid/", "environments.prod.schema_registry.url")
    entry = Entry("topic.a", "topic", "a", "create")
    plan = Plan("prod", {"topic": {}}, "d", "f", (entry,), {})
    (result,) = apply_plan(plan, Backends(kafka=object()), kinds=[_RefusedKind()])  # type: ignore[list-item]
    assert result.error is not None and "refused9secret" not in result.error.lower()
