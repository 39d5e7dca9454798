"""Integration tests run against the real local sandbox: Apache Kafka + Apicurio Registry (`kgov sandbox`).

Every test under tests/integration is marked `integration` and gets the session fixture `sandbox`
(a dict of the KGOV_* variables, also exported to os.environ for the session).

KGOV_SANDBOX (environment):
  unset   start the sandbox if none is running, stop it at the end (only if this session started it)
  reuse   use the running sandbox, or start one and leave it running (what `.ci/run` uses)
  skip    skip the integration tests (no Java/Maven here)
KGOV_SANDBOX_STATE_DIR: the sandbox's state folder (default: <repo>/.kgov/sandbox, as `kgov sandbox up`).

The fault tests use a second, three-broker sandbox (fixture `sandbox3`, started only when such a test
runs), in its own state folder and ports, with the same KGOV_SANDBOX modes:
KGOV_SANDBOX3_STATE_DIR  its state folder (default: <repo>/.kgov/sandbox3)
KGOV_SANDBOX3_PORT_BASE  its ports, as `kgov sandbox up --port-base` (default 19100: brokers on
                         19100-19104, 19110-19114, 19120-19124; controller 19101; registry 19105-19106)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kgov.errors import KgovError
from kgov.sandbox.api import Sandbox
from kgov.sandbox.settings import Overrides, ports_from_base

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
START_TIMEOUT = 240.0  # a cold first start downloads ~200 MB with Maven
SANDBOX3_PORT_BASE = 19100

_info_key = pytest.StashKey[list[str]]()


def _mode() -> str:
    return os.environ.get("KGOV_SANDBOX", "").strip().lower()


def _state_dir() -> Path:
    explicit = os.environ.get("KGOV_SANDBOX_STATE_DIR")
    return Path(explicit) if explicit else REPO / ".kgov" / "sandbox"


def sandbox_state_dir() -> Path:
    """The one-broker sandbox's state folder (for tests that issue client certificates from its CA)."""
    return _state_dir()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="KGOV_SANDBOX=skip: integration tests need the real sandbox")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)
            if _mode() == "skip":
                item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Shown when pytest starts from tests/integration and a sandbox is already running."""
    box = Sandbox(_state_dir())
    if _mode() == "skip" or not box.is_running():
        return []
    try:
        return [f"schema registry: {box.registry_info().label}"]
    except KgovError:
        return []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(_info_key, [])
    if lines:
        terminalreporter.write_sep("-", "sandbox")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def sandbox(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The KGOV_* variables of a running sandbox; brings one up once per session when needed."""
    if _mode() == "skip":
        pytest.skip("KGOV_SANDBOX=skip")
    box = Sandbox(_state_dir())
    started_here = False
    if not box.is_running():
        try:
            box.up(timeout=START_TIMEOUT)
        except KgovError as exc:
            pytest.fail(f"the sandbox could not start: {exc.message}\nhint: {exc.hint}", pytrace=False)
        started_here = True
    env = box.env()
    info = box.registry_info()
    settings = box.settings()
    how = "started for this session" if started_here else "already running"
    request.config.stash[_info_key] = [
        f"schema registry: {info.label} at {env['KGOV_SCHEMA_REGISTRY_URL']}",
        f"kafka: Apache Kafka {settings.kafka_version} (KRaft) at {env['KGOV_BOOTSTRAP_SASL']} "
        f"(SASL), {env['KGOV_BOOTSTRAP_SSL']} (SASL_SSL), {env['KGOV_BOOTSTRAP_MTLS']} (mTLS)",
        f"sandbox: {box.paths.root} ({how})",
    ]
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if started_here and _mode() != "reuse":
            box.down()


@pytest.fixture(autouse=True)
def _integration_needs_sandbox(sandbox: dict[str, str]) -> None:
    """Every integration test runs with the sandbox up and KGOV_* set."""


@dataclass(frozen=True)
class ThreeBrokers:
    """The three-broker sandbox: its API object (to kill and restart brokers) and its KGOV_* variables.
    The variables are not exported to os.environ (the one-broker sandbox's are): pass them to kgov."""

    box: Sandbox
    env: dict[str, str]


@pytest.fixture(scope="session")
def sandbox3(request: pytest.FixtureRequest) -> Iterator[ThreeBrokers]:
    """A running sandbox of a controller and three brokers; brought up once per session when needed."""
    if _mode() == "skip":
        pytest.skip("KGOV_SANDBOX=skip")
    explicit = os.environ.get("KGOV_SANDBOX3_STATE_DIR")
    box = Sandbox(Path(explicit) if explicit else REPO / ".kgov" / "sandbox3")
    base = int(os.environ.get("KGOV_SANDBOX3_PORT_BASE", SANDBOX3_PORT_BASE))
    started_here = not box.is_running()
    try:
        # up() on a running sandbox checks its settings and restarts a broker a test left dead
        result = box.up(Overrides(brokers=3, ports=ports_from_base(base)), timeout=START_TIMEOUT)
    except KgovError as exc:
        pytest.fail(f"the 3-broker sandbox could not start: {exc.message}\nhint: {exc.hint}", pytrace=False)
    lines = request.config.stash.get(_info_key, [])
    how = "(re)started for this session" if started_here else "already running"
    lines.append(
        f"sandbox3: {box.paths.root}, 3 brokers at {box.env()['KGOV_BOOTSTRAP_SASL']} ({how}, "
        f"{result.seconds:.1f}s)"
    )
    request.config.stash[_info_key] = lines
    try:
        yield ThreeBrokers(box, box.env())
    finally:
        if started_here and _mode() != "reuse":
            box.down()
