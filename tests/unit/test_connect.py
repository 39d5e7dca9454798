from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.errors import ConfigError


def _env(**kafka: object) -> Environment:
    return Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="prod", kafka=kafka)


def test_scram_over_tls_settings_resolve_references(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("BOOT", "b1:9095,b2:9095")
    monkeypatch.setenv("PW", "s3cret")
    settings = kafka_settings(
        _env(
            bootstrap_servers="${env:BOOT}",
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-256",
            username="svc",
            password="${env:PW}",
            ssl_ca_location=str(ca),
            timeout_ms=5000,
        )
    )
    assert settings.bootstrap == "${env:BOOT}"  # shown as written: what it resolves to is secret
    assert settings.client["bootstrap.servers"] == "b1:9095,b2:9095"
    assert settings.timeout_s == 5
    assert settings.client["sasl.password"] == "s3cret"
    assert settings.client["sasl.mechanism"] == "SCRAM-SHA-256"
    assert settings.client["ssl.ca.location"] == str(ca)
    assert "enable.ssl.certificate.verification" not in settings.client  # verification stays on
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings)


def test_mtls_and_disabled_verification(tmp_path: Path) -> None:
    for name in ("c.pem", "k.pem"):
        (tmp_path / name).write_text("pem\n")
    settings = kafka_settings(
        _env(
            bootstrap_servers="b:9093",
            security_protocol="SSL",
            ssl_certificate_location=str(tmp_path / "c.pem"),
            ssl_key_location=str(tmp_path / "k.pem"),
            ssl_verify=False,
        )
    )
    assert settings.client["ssl.certificate.location"] == str(tmp_path / "c.pem")
    assert settings.client["ssl.key.location"] == str(tmp_path / "k.pem")
    assert settings.client["enable.ssl.certificate.verification"] == "false"
    assert "sasl.mechanism" not in settings.client


def test_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_BOOT", raising=False)
    with pytest.raises(ConfigError, match=r"environments\.prod\.kafka\.bootstrap_servers .* NOPE_BOOT"):
        kafka_settings(_env(bootstrap_servers="${env:NOPE_BOOT}"))


def test_file_reference(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    settings = kafka_settings(_env(bootstrap_servers="b:1", password=f"${{file:{secret}}}", username="u"))
    assert settings.client["sasl.password"] == "from-file"


def test_missing_ssl_ca_file_is_a_config_error_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        kafka_settings(_env(bootstrap_servers="b:1", ssl_ca_location=str(tmp_path / "nope.pem")))
    assert "environments.prod.kafka.ssl_ca_location" in info.value.message
    assert "nope.pem" in info.value.message


def test_a_bool_timeout_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        kafka_settings(_env(bootstrap_servers="b:1", timeout_ms=True))
    assert "timeout_ms" in info.value.message


REPO = Path(__file__).resolve().parents[2]
TOKEN = "tok3n-9f2c51ab77"


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_bootstrap_reference_is_never_printed_resolved(tmp_path: Path, command: str) -> None:
    """Hole: `bootstrap_servers: '127.0.0.1:1,${env:TOKEN}'` printed the token in "cannot reach Kafka
    at …" (and librdkafka's own message names the host it could not resolve)."""
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    kafka = {"bootstrap_servers": "127.0.0.1:1,${env:TOKEN}", "timeout_ms": 1500}
    settings = {"version": 1, "environments": {"ci": {"kafka": kafka}}}
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings))
    args = ["--auto-approve"] if command == "apply" else []
    proc = subprocess.run(
        [sys.executable, "-m", "kgov", command, "--catalog", str(root), "--env", "ci", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TOKEN": TOKEN, "PYTHONPATH": str(REPO), "COLUMNS": "400"},
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "cannot reach Kafka" in output
    assert "${env:TOKEN}" in output  # the reference as written
    assert TOKEN not in output and "tok3n" not in output
    assert "Traceback" not in output
