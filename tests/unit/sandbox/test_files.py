"""Secrets in 0600 files and the throwaway TLS material (made with the real openssl command)."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from kgov.sandbox.credentials import load_or_create_secret
from kgov.sandbox.tls import ensure_tls


def test_secret_is_made_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "admin.password"
    first = load_or_create_secret(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_material_verifies_for_localhost_and_127_0_0_1(tmp_path: Path) -> None:
    tls_dir = tmp_path / "tls"
    files = ensure_tls(tls_dir, tls_dir / "ca.pem", tls_dir / "server.p12", tls_dir / "keystore.password")
    assert stat.S_IMODE((tls_dir / "server.p12").stat().st_mode) == 0o600
    assert stat.S_IMODE((tls_dir / "ca.key").stat().st_mode) == 0o600
    for check in (["-verify_hostname", "localhost"], ["-verify_ip", "127.0.0.1"]):
        out = subprocess.run(
            ["openssl", "verify", "-CAfile", str(files.ca_file), *check, str(tls_dir / "server.pem")],
            capture_output=True, text=True,
        )  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
    wrong = subprocess.run(
        ["openssl", "verify", "-CAfile", str(files.ca_file), "-verify_hostname", "example.com",
         str(tls_dir / "server.pem")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert wrong.returncode != 0
    listing = subprocess.run(
        ["openssl", "pkcs12", "-in", str(files.keystore_file), "-nokeys", "-passin",
         f"pass:{files.keystore_password}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert listing.count("BEGIN CERTIFICATE") == 2  # server certificate + CA
    again = ensure_tls(tls_dir, tls_dir / "ca.pem", tls_dir / "server.p12", tls_dir / "keystore.password")
    assert again == files
