"""`kgov sandbox up` starts every time: several up/down cycles in a row under CPU load never fail
(issue 18: one start in about ten failed on a loaded 2-core machine with "Remote end closed"), and a
start that runs out of --timeout names its step and last error, exits 1, and leaves nothing running.

These tests run their OWN one-broker sandbox, beside the session's: its own state folder
(<repo>/.kgov/sandbox-cycles, purged at the end) and ports (--port-base 29200: 29200-29206, far from
the defaults and from the three-broker sandbox's 19100-19126). It downloads nothing: it needs the
Kafka and registry caches the session's sandbox filled (skipped otherwise), and it always stops
what it started, whatever happens.

KGOV_SANDBOX_CYCLES_PORT_BASE  its ports (default 29200)
KGOV_SANDBOX_CYCLES            how many up/down cycles (default 4; more for a soak run)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kgov.sandbox import kafka
from kgov.sandbox.api import Sandbox
from kgov.sandbox.credentials import read_secret
from kgov.sandbox.fetch import COMPLETE
from kgov.sandbox.paths import CachePaths, default_cache_dir
from kgov.sandbox.ports import port_is_free
from kgov.sandbox.process import ProcState
from kgov.sandbox.settings import DEFAULT_KAFKA_VERSION, DEFAULT_REGISTRY_VERSION, port_uses

from .conftest import REPO, _info_key

PORT_BASE = int(os.environ.get("KGOV_SANDBOX_CYCLES_PORT_BASE", "29200"))
CYCLES = int(os.environ.get("KGOV_SANDBOX_CYCLES", "4"))
UP_TIMEOUT = 240.0  # generous: the point is that it does not fail, not how fast it is
LOAD_LIMIT = 900.0  # the busy loops end by themselves after this long, whatever happens to pytest


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float


def kgov_cli(*args: str) -> Run:
    """`python -m kgov ARGS` in a subprocess (this tree's kgov), standard input closed, as CI runs it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kgov", *args],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=UP_TIMEOUT + 120,
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - began)


@pytest.fixture(scope="module")
def cycles_box() -> Iterator[Sandbox]:
    """The cycles' own sandbox; stopped and purged at the end, and first if a killed run left it."""
    cache = CachePaths(default_cache_dir())
    for ready in (
        cache.kafka_lib(DEFAULT_KAFKA_VERSION).parent,
        cache.registry_home(DEFAULT_REGISTRY_VERSION),
    ):
        if not (ready / COMPLETE).is_file():
            pytest.skip(
                f"{ready} is not fetched: these tests download nothing (start the main sandbox first)"
            )
    box = Sandbox(REPO / ".kgov" / "sandbox-cycles")
    box.down(purge=True)
    try:
        yield box
    finally:
        box.down(purge=True)


@pytest.fixture
def cpu_load() -> Iterator[int]:
    """A busy loop on every core, in child processes; each ends by itself after LOAD_LIMIT seconds or
    when its parent is gone, and all are killed when the test ends."""
    loop = (
        "import os, time\n"
        f"parent, end = os.getppid(), time.monotonic() + {LOAD_LIMIT}\n"
        "while time.monotonic() < end and os.getppid() == parent:\n"
        "    for _ in range(200_000): pass\n"
    )
    busy = [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(os.cpu_count() or 2)]
    try:
        yield len(busy)
    finally:
        for proc in busy:
            proc.kill()
        for proc in busy:
            proc.wait(timeout=30)


def _up(box: Sandbox, *extra: str) -> Run:
    return kgov_cli(
        "sandbox", "up", "--state-dir", str(box.paths.root), "--port-base", str(PORT_BASE), *extra
    )


def _assert_all_stopped(box: Sandbox) -> None:
    running = [p.component for p in box.status().processes if p.state is ProcState.RUNNING]
    assert not running, f"still running after down: {running}"
    busy = [u.port for u in port_uses(box.settings()) if not port_is_free(u.port)]
    assert not busy, f"ports still in use after down: {busy}"


def test_up_out_of_time_names_the_step_and_stops_what_it_started(cycles_box: Sandbox) -> None:
    # Neither JVM answers within 1 s of the start: the wait for them is the step that runs out of time.
    late = _up(cycles_box, "--timeout", "1")
    assert late.code == 1, late.stderr
    assert "Traceback" not in late.stderr
    assert "✗ Waiting for registry, issuer, kafka to answer" in late.stderr
    step = "Waiting for registry, issuer, kafka to answer"
    assert f"gave up after 1s (--timeout) at the step: {step}" in late.stderr
    assert "did not answer:" in late.stderr  # then the process and its last error
    assert "hint:" in late.stderr
    _assert_all_stopped(cycles_box)


def test_up_and_down_in_a_row_under_cpu_load_never_fail(
    cycles_box: Sandbox, cpu_load: int, request: pytest.FixtureRequest
) -> None:
    ups: list[float] = []
    downs: list[float] = []
    for cycle in range(1, CYCLES + 1):
        up = _up(cycles_box, "--timeout", str(UP_TIMEOUT))
        assert up.code == 0, f"cycle {cycle}: `kgov sandbox up` failed:\n{up.stderr}"
        assert "Traceback" not in up.stderr
        assert "Sandbox up in" in up.stdout
        ups.append(up.seconds)
        # Up means serving real calls: the registry's API answers, the admin logs in with SCRAM.
        settings = cycles_box.settings()
        assert cycles_box.registry_info(timeout=5.0).version
        password = read_secret(cycles_box.paths.password_file)
        assert kafka.scram_login_problem(settings, password, timeout=10.0) is None

        down = kgov_cli("sandbox", "down", "--state-dir", str(cycles_box.paths.root))
        assert down.code == 0, f"cycle {cycle}: `kgov sandbox down` failed:\n{down.stderr}"
        downs.append(down.seconds)
        _assert_all_stopped(cycles_box)
    lines = request.config.stash.get(_info_key, [])
    lines.append(
        f"sandbox-cycles: {CYCLES} up/down cycles under {cpu_load} busy loops: up "
        + ", ".join(f"{s:.1f}" for s in ups)
        + " s; down "
        + ", ".join(f"{s:.1f}" for s in downs)
        + " s"
    )
    request.config.stash[_info_key] = lines
