"""kgov/broker_configs.json is what the sandbox's Kafka jars say about the broker configs
(scripts/broker-configs/generate --check compiles a small Java class against them and compares)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kgov.broker_configs import kafka_version
from kgov.sandbox import fetch
from kgov.sandbox.api import Sandbox
from tests.integration.conftest import sandbox_state_dir

REPO = Path(__file__).resolve().parents[2]


def test_the_broker_config_table_matches_the_kafka_jars() -> None:
    if shutil.which("javac") is None:
        pytest.skip("needs javac (a JDK) to compile the table's generator")
    box = Sandbox(sandbox_state_dir())
    version = box.settings().kafka_version
    if version != kafka_version():
        pytest.skip(f"the table is of Kafka {kafka_version()}, the sandbox runs {version}")
    lib = fetch.kafka_classpath(box.cache, version, lambda _: None)
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "broker-configs" / "generate"), "--check", "--lib", str(lib)],
        capture_output=True, text=True, timeout=300, check=False, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
