"""Ctrl-C stops a wait on librdkafka within a fraction of a second, whatever the timeout (issue 8, hole 11).

librdkafka blocks in C, where Python's SIGINT handler cannot run; kgov/cluster/interrupt.py waits in
short slices instead. The last test runs `kgov plan` against a listener that accepts and never answers.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
import yaml

from kgov.cluster.interrupt import call_interruptibly, wait_futures
from tests.support import sigint_default

ROOT = Path(__file__).resolve().parents[2]
_NULL_LOGGER = logging.getLogger("kgov.test.librdkafka")  # librdkafka's connection noise, dropped
_NULL_LOGGER.addHandler(logging.NullHandler())
_NULL_LOGGER.propagate = False


def interrupt_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """A TCP listener that completes every handshake and never sends a byte."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as server:
        yield server


def test_the_call_returns_its_value_or_raises_its_error() -> None:
    assert call_interruptibly(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]
    with pytest.raises(ZeroDivisionError):
        call_interruptibly(divmod, 1, 0)


def test_ctrl_c_interrupts_a_long_blocking_call() -> None:
    timer = interrupt_after(0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        call_interruptibly(time.sleep, 30)
    timer.join()
    assert time.monotonic() - started < 10  # at the Ctrl-C, long before the 30 s the call blocks


def test_ctrl_c_interrupts_librdkafka_blocked_on_a_silent_broker(silent_listener: socket.socket) -> None:
    from confluent_kafka.admin import AdminClient

    port = silent_listener.getsockname()[1]
    admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{port}", "logger": _NULL_LOGGER})
    timer = interrupt_after(0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        call_interruptibly(admin.list_topics, timeout=30)
    timer.join()
    assert time.monotonic() - started < 10  # at the Ctrl-C, long before the 30 s the call blocks


def test_wait_futures_is_true_when_all_are_done_and_false_at_the_timeout() -> None:
    done: Future[int] = Future()
    done.set_result(1)
    assert wait_futures([done], timeout=5) is True
    never: Future[int] = Future()
    started = time.monotonic()
    assert wait_futures([done, never], timeout=0.3) is False
    assert 0.3 <= time.monotonic() - started < 10  # the timeout, not never (the bound only for a hang)


def test_ctrl_c_interrupts_wait_futures() -> None:
    never: Future[int] = Future()
    timer = interrupt_after(0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        wait_futures([never], timeout=30)
    timer.join()
    assert time.monotonic() - started < 10  # at the Ctrl-C, long before the 30 s the call blocks


def test_ctrl_c_stops_kgov_plan_on_a_silent_broker_and_exits_130(
    silent_listener: socket.socket, tmp_path: Path
) -> None:
    port = silent_listener.getsockname()[1]
    catalog = tmp_path / "catalog"
    (catalog / "topics").mkdir(parents=True)
    settings = {
        "version": 1,
        "environments": {
            "dev": {"kafka": {"bootstrap_servers": f"127.0.0.1:{port}", "timeout_ms": 60000}}
        },
    }
    (catalog / "kgov.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    plan = subprocess.Popen(
        [sys.executable, "-m", "kgov", "plan", "--env", "dev", "--catalog", str(catalog)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=sigint_default,
    )  # fmt: skip
    try:
        silent_listener.settimeout(60)  # start-up on a busy machine
        connection, _ = silent_listener.accept()  # kgov is now waiting for Kafka's answer
        with connection:
            time.sleep(1)
            plan.send_signal(signal.SIGINT)
            sent = time.monotonic()
            _, stderr = plan.communicate(timeout=30)
            stopped_after = time.monotonic() - sent
    finally:
        plan.kill()
        plan.wait()
    assert plan.returncode == 130, stderr
    assert stopped_after < 10, stopped_after  # at the Ctrl-C, long before the 60 s Kafka timeout
    assert "interrupted" in stderr and "Traceback" not in stderr

