from __future__ import annotations

import pytest

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.connect import kafka_settings
from kgov.errors import ConfigError


def _env(**kafka: object) -> Environment:
    return Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="prod", kafka=kafka)


def test_scram_over_tls_settings_resolve_references(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOT", "b1:9095,b2:9095")
    monkeypatch.setenv("PW", "s3cret")
    settings = kafka_settings(
        _env(
            bootstrap_servers="${env:BOOT}",
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-256",
            username="svc",
            password="${env:PW}",
            ssl_ca_location="/ca.pem",
            timeout_ms=5000,
        )
    )
    assert settings.bootstrap == "b1:9095,b2:9095"
    assert settings.timeout_s == 5
    assert settings.client["sasl.password"] == "s3cret"
    assert settings.client["sasl.mechanism"] == "SCRAM-SHA-256"
    assert settings.client["ssl.ca.location"] == "/ca.pem"
    assert "enable.ssl.certificate.verification" not in settings.client  # verification stays on
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings)


def test_mtls_and_disabled_verification() -> None:
    settings = kafka_settings(
        _env(
            bootstrap_servers="b:9093",
            security_protocol="SSL",
            ssl_certificate_location="/c.pem",
            ssl_key_location="/k.pem",
            ssl_verify=False,
        )
    )
    assert settings.client["ssl.certificate.location"] == "/c.pem"
    assert settings.client["ssl.key.location"] == "/k.pem"
    assert settings.client["enable.ssl.certificate.verification"] == "false"
    assert "sasl.mechanism" not in settings.client


def test_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_BOOT", raising=False)
    with pytest.raises(ConfigError, match=r"environments\.prod\.kafka\.bootstrap_servers .* NOPE_BOOT"):
        kafka_settings(_env(bootstrap_servers="${env:NOPE_BOOT}"))


def test_file_reference(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    secret = Path(str(tmp_path)) / "pw"
    secret.write_text("from-file\n")
    settings = kafka_settings(_env(bootstrap_servers="b:1", password=f"${{file:{secret}}}", username="u"))
    assert settings.client["sasl.password"] == "from-file"
