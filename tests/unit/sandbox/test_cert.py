"""`kgov sandbox cert SERVICE`: a client certificate CN=SERVICE signed by the sandbox CA (real openssl)."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgov.cli.sandbox import app
from kgov.sandbox.paths import StatePaths
from kgov.sandbox.tls import ensure_tls

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
runner = CliRunner()


def _with_ca(root: Path) -> StatePaths:
    paths = StatePaths.at(root)
    ensure_tls(paths.tls_dir, paths.ca_file, paths.keystore_file, paths.keystore_password_file)
    return paths


def test_cert_is_signed_by_the_sandbox_ca_with_the_service_as_cn(tmp_path: Path) -> None:
    paths = _with_ca(tmp_path / "box")
    result = runner.invoke(app, ["cert", "orders", "--state-dir", str(paths.root)])
    assert result.exit_code == 0, result.output
    cert, key = paths.clients_dir / "orders.pem", paths.clients_dir / "orders.key"
    assert "User:orders" in result.stdout and str(cert) in result.stdout
    assert "security.protocol=SSL" in result.stdout
    # Read as data (cryptography, which the registry client brings), not from openssl's text output,
    # whose format changes with its version; openssl itself still judges the signature.
    x509 = pytest.importorskip("cryptography.x509")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    parsed = x509.load_pem_x509_certificate(cert.read_bytes())
    names = [(a.oid, a.value) for a in parsed.subject]
    assert names == [  # in the certificate's order (openssl prints OU=kgov-sandbox,CN=orders)
        (x509.NameOID.COMMON_NAME, "orders"),
        (x509.NameOID.ORGANIZATIONAL_UNIT_NAME, "kgov-sandbox"),
    ]
    ca = x509.load_pem_x509_certificate(paths.ca_file.read_bytes())
    parsed.verify_directly_issued_by(ca)  # raises if the sandbox CA did not sign it
    verify = ["openssl", "verify", "-CAfile", str(paths.ca_file), str(cert)]
    assert subprocess.run(verify, capture_output=True, check=False).returncode == 0
    usage = parsed.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ExtendedKeyUsageOID.CLIENT_AUTH in usage
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # the key belongs to the certificate
    public = serialization.load_pem_private_key(key.read_bytes(), password=None).public_key()
    spki = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    assert public.public_bytes(*spki) == parsed.public_key().public_bytes(*spki)


def test_cert_into_another_folder(tmp_path: Path) -> None:
    paths = _with_ca(tmp_path / "box")
    out = tmp_path / "certs"
    result = runner.invoke(app, ["cert", "payments.api", "--out", str(out), "--state-dir", str(paths.root)])
    assert result.exit_code == 0, result.output
    assert (out / "payments.api.pem").is_file() and (out / "payments.api.key").is_file()
    assert not paths.clients_dir.exists()


@pytest.mark.parametrize("name", ["a,b", "CN=x", "../etc", "", "_hidden", "x" * 65, "o/u", "name with space"])
def test_names_that_would_break_the_subject_or_the_path_are_refused(tmp_path: Path, name: str) -> None:
    paths = _with_ca(tmp_path / "box")
    result = runner.invoke(app, ["cert", name, "--state-dir", str(paths.root)])
    assert result.exit_code == 1
    assert "cannot be a certificate's CN" in result.output
    assert "Traceback" not in result.output
    assert not paths.clients_dir.exists()


def test_no_ca_yet_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cert", "orders", "--state-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "there is no sandbox CA" in result.output and "kgov sandbox up" in result.output
    assert not (tmp_path / "none").exists()


def test_a_symlinked_target_is_not_written_through(tmp_path: Path) -> None:
    paths = _with_ca(tmp_path / "box")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    paths.clients_dir.mkdir(parents=True)
    (paths.clients_dir / "orders.key").symlink_to(victim)
    result = runner.invoke(app, ["cert", "orders", "--state-dir", str(paths.root)])
    assert result.exit_code == 1 and "not a regular file" in result.output
    assert victim.read_text() == "keep me"
