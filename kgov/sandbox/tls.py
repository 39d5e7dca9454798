"""A throwaway CA and a server certificate for the SASL_SSL listener, made with the openssl command.

The client side needs the CA as PEM (`KGOV_CA_FILE`); the broker reads a PKCS12 keystore holding the
server key and its chain. SAN DNS:localhost and IP:127.0.0.1 so TLS verification stays on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kgov.errors import SandboxError
from kgov.sandbox.credentials import load_or_create_secret

DAYS = 825
SERVER_SAN = "DNS:localhost,IP:127.0.0.1"
CLIENT_CN = "admin"  # the mTLS listener maps CN=admin to User:admin, a super user


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    keystore_file: Path
    keystore_password: str


def _openssl(args: list[str], cwd: Path) -> None:
    exe = shutil.which("openssl")
    if exe is None:
        raise SandboxError(
            "the openssl command is needed to make the sandbox's TLS certificates and was not found",
            hint="install it (Debian/Ubuntu: apt-get install -y openssl)",
        )
    proc = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SandboxError(
            f"openssl {args[0]} failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}",
        )


def ensure_tls(tls_dir: Path, ca_file: Path, keystore_file: Path, password_file: Path) -> TlsFiles:
    """Make the CA, the server certificate and the keystore once; later calls reuse them."""
    tls_dir.mkdir(parents=True, exist_ok=True)
    tls_dir.chmod(0o700)
    password = load_or_create_secret(password_file)
    if ca_file.is_file() and keystore_file.is_file():
        return TlsFiles(ca_file, keystore_file, password)
    ext = tls_dir / "server-ext.cnf"
    ext.write_text(
        f"subjectAltName={SERVER_SAN}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n",
        encoding="utf-8",
    )
    # fmt: off
    _openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", str(DAYS),
              "-keyout", "ca.key", "-out", "ca.pem.tmp", "-subj", "/CN=kgov sandbox CA",
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign"], tls_dir)
    _openssl(["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", "server.key",
              "-out", "server.csr", "-subj", "/CN=localhost"], tls_dir)
    _openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem.tmp", "-CAkey", "ca.key",
              "-CAcreateserial", "-sha256", "-days", str(DAYS), "-extfile", ext.name,
              "-out", "server.pem"], tls_dir)
    _openssl(["pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key",
              "-certfile", "ca.pem.tmp", "-name", "kafka", "-out", keystore_file.name + ".tmp",
              "-passout", f"file:{password_file}"], tls_dir)
    # fmt: on
    for name in ("ca.key", "server.key", keystore_file.name + ".tmp"):
        (tls_dir / name).chmod(0o600)
    (tls_dir / (keystore_file.name + ".tmp")).replace(keystore_file)
    (tls_dir / "ca.pem.tmp").replace(ca_file)
    return TlsFiles(ca_file, keystore_file, password)


def ensure_client_cert(tls_dir: Path, ca_file: Path, cert_file: Path, key_file: Path) -> None:
    """Make the admin's client certificate for the mTLS listener once, signed by the sandbox CA."""
    if cert_file.is_file() and key_file.is_file():
        return
    issue_client_cert(tls_dir, ca_file, CLIENT_CN, cert_file, key_file)


# A CN that needs no escaping in a DN, a file name or a Kafka principal: letters, digits, . _ -
_SERVICE_CN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_service_name(name: str) -> None:
    if not _SERVICE_CN.fullmatch(name):
        raise SandboxError(
            f"{name[:80]!r} cannot be a certificate's CN here",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit "
            "(the principal becomes User:<name>)",
        )


def issue_client_cert(tls_dir: Path, ca_file: Path, cn: str, cert_file: Path, key_file: Path) -> None:
    """A client certificate with subject CN=<cn>,OU=kgov-sandbox, signed by the sandbox CA (key 0600).

    The mTLS listener maps the CN to the principal User:<cn> (ssl.principal.mapping.rules)."""
    check_service_name(cn)
    ca_key = tls_dir / "ca.key"
    if not (ca_file.is_file() and ca_key.is_file()):
        raise SandboxError(
            f"there is no sandbox CA in {tls_dir}",
            hint="start the sandbox once (`kgov sandbox up`, with the same --state-dir): it makes the CA",
        )
    for target in (cert_file, key_file):
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise SandboxError(f"{target} exists and is not a regular file; not replacing it")
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kgov-cert-") as tmp:
        work = Path(tmp)
        (work / "ext.cnf").write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=clientAuth\n",
            encoding="utf-8",
        )
        # fmt: off
        _openssl(["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", "client.key",
                  "-out", "client.csr", "-subj", f"/CN={cn}/OU=kgov-sandbox"], work)
        _openssl(["x509", "-req", "-in", "client.csr", "-CA", str(ca_file), "-CAkey", str(ca_key),
                  "-CAcreateserial", "-CAserial", "ca.srl", "-sha256", "-days", str(DAYS),
                  "-extfile", "ext.cnf", "-out", "client.pem"], work)
        # fmt: on
        (work / "client.key").chmod(0o600)
        # moved into place (same file system or not): the key keeps its 0600 mode
        shutil.move(work / "client.key", key_file)
        shutil.move(work / "client.pem", cert_file)
