"""`kgov plan` of an AWS MSK IAM environment, as a user runs it: without the aws extra, without
credentials, and with (fake) credentials against no broker. Each exits 1 with kgov's message, no
traceback, and no credential or token in anything printed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
KEY_ID = "AKIAKGOVCLITEST00001"
SECRET_KEY = "kgovCliFakeSecretKey/0123456789abcdefXYZ"
SESSION = "kgovCliFakeSession0123456789+abc/def=="
REAL = importlib.util.find_spec("aws_msk_iam_sasl_signer") is not None


def _plan(tmp_path: Path, *, credentials: bool, shadow: bool = False) -> tuple[int, str]:
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    kafka = {
        "bootstrap_servers": "127.0.0.1:1",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "AWS_MSK_IAM",
        "aws": {"region": "eu-west-1"},
        "timeout_ms": 1500,
    }
    (root / "kgov.yaml").write_text(yaml.safe_dump({"version": 1, "environments": {"msk": {"kafka": kafka}}}))
    path = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    if shadow:  # a module where the signer's package would be: importing its submodule fails as if absent
        (tmp_path / "shadow").mkdir()
        (tmp_path / "shadow" / "aws_msk_iam_sasl_signer.py").write_text("")
        path.insert(0, str(tmp_path / "shadow"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTHONPATH"} | {
        "PYTHONPATH": os.pathsep.join(path),
        "COLUMNS": "400",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if credentials:
        env |= {
            "AWS_ACCESS_KEY_ID": KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_SESSION_TOKEN": SESSION,
        }
    proc = subprocess.run(
        [sys.executable, "-m", "kgov", "plan", "--catalog", str(root), "--env", "msk"],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    for secret in (KEY_ID, SECRET_KEY, SESSION, "kgovCliFake"):
        assert secret not in output
    return proc.returncode, output


def test_lint_accepts_the_iam_settings(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    kafka = {
        "bootstrap_servers": "b-1.msk.eu-west-1.amazonaws.com:9098",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "AWS_MSK_IAM",
        "aws": {
            "region": "eu-west-1",
            "role_arn": "arn:aws:iam::123456789012:role/kgov",
            "role_session_name": "kgov-ci",
        },
    }
    (root / "kgov.yaml").write_text(yaml.safe_dump({"version": 1, "environments": {"msk": {"kafka": kafka}}}))
    proc = subprocess.run(
        [sys.executable, "-m", "kgov", "lint", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kafka["aws"] = {"region": "eu-west-1", "secret_access_key": "x"}  # credentials never go in the catalog
    (root / "kgov.yaml").write_text(yaml.safe_dump({"version": 1, "environments": {"msk": {"kafka": kafka}}}))
    proc = subprocess.run(
        [sys.executable, "-m", "kgov", "lint", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 1
    assert "secret_access_key" in proc.stdout + proc.stderr


def test_without_the_aws_extra_plan_names_the_install(tmp_path: Path) -> None:
    code, output = _plan(tmp_path, credentials=True, shadow=True)
    assert code == 1, output
    assert "pip install 'kgov[aws]'" in output


@pytest.mark.skipif(not REAL, reason="the aws extra (aws-msk-iam-sasl-signer-python) is not installed")
def test_without_credentials_plan_says_so(tmp_path: Path) -> None:
    code, output = _plan(tmp_path, credentials=False)
    assert code == 1, output
    assert "no AWS credentials found" in output
    assert "environments.msk.kafka.aws" in output


@pytest.mark.skipif(not REAL, reason="the aws extra (aws-msk-iam-sasl-signer-python) is not installed")
def test_with_credentials_and_no_broker_plan_fails_to_connect_printing_no_secret(tmp_path: Path) -> None:
    code, output = _plan(tmp_path, credentials=True)
    assert code == 1, output
    assert "cannot reach Kafka" in output


def test_lint_says_where_iam_and_mtls_settings_do_not_fit(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text(
        "version: 1\n"
        "environments:\n"
        "  prod:\n"
        "    kafka:\n"
        "      bootstrap_servers: b-1.msk:9098\n"
        "      sasl_mechanism: SCRAM-SHA-512\n"
        "      aws: {region: eu-west-1}\n"  # line 7: aws without AWS_MSK_IAM
        "  msk:\n"
        "    kafka:\n"
        "      bootstrap_servers: b-1.msk:9098\n"
        "      sasl_mechanism: AWS_MSK_IAM\n"  # line 11: no aws.region
        "      password: ${env:PW}\n"  # line 12: a password with IAM
        "    schema_registry:\n"
        "      url: http://registry:8081\n"
        "      ssl_certificate_location: /etc/kgov/kgov.pem\n"  # line 15: a certificate over http
    )
    proc = subprocess.run(
        [sys.executable, "-m", "kgov", "lint", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "400"},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    for line in (7, 11, 12, 15):
        assert f"kgov.yaml:{line}:7" in output
    assert output.count("login-settings") == 4
    assert "Traceback" not in output
