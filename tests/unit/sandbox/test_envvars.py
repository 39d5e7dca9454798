"""The KGOV_* variables and their `export` lines."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kgov.sandbox.envvars import ENV_NAMES, export_lines, sandbox_env
from kgov.sandbox.paths import StatePaths
from kgov.sandbox.settings import Ports, Settings


def test_env_points_at_the_sandbox() -> None:
    env = sandbox_env(
        Settings(ports=Ports(sasl=19094, registry=18081)), password="pw", paths=StatePaths(Path("/s"))
    )
    assert tuple(env) == ENV_NAMES
    assert env["KGOV_BOOTSTRAP_PLAINTEXT"] == "127.0.0.1:9092"
    assert env["KGOV_BOOTSTRAP_SASL"] == "127.0.0.1:19094"
    assert env["KGOV_BOOTSTRAP_SSL"] == "localhost:9095"
    assert env["KGOV_USERNAME"] == "admin"
    assert env["KGOV_PASSWORD"] == "pw"
    assert env["KGOV_CA_FILE"] == "/s/tls/ca.pem"
    assert env["KGOV_BOOTSTRAP_MTLS"] == "localhost:9096"
    assert env["KGOV_CLIENT_CERT_FILE"] == "/s/tls/admin-client.pem"
    assert env["KGOV_CLIENT_KEY_FILE"] == "/s/tls/admin-client.key"
    assert env["KGOV_SCHEMA_REGISTRY_URL"] == "http://127.0.0.1:18081/apis/ccompat/v7"


def test_export_lines_survive_a_real_shell() -> None:
    tricky = {"KGOV_PASSWORD": "a b'c\"$HOME;`x`", "KGOV_CA_FILE": "/path with spaces/ca.pem"}
    script = export_lines(tricky) + 'printf "%s\\n%s\\n" "$KGOV_PASSWORD" "$KGOV_CA_FILE"\n'
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [tricky["KGOV_PASSWORD"], tricky["KGOV_CA_FILE"]]


def test_every_line_is_an_export() -> None:
    lines = export_lines({"A": "1", "B": "two words"}).splitlines()
    assert lines == ["export A=1", "export B='two words'"]
