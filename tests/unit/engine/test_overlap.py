"""Reads of different backends overlap; one backend's reads keep their order and thread."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from kgov.engine.overlap import overlapped
from kgov.errors import ClusterError


def test_the_other_backends_reads_run_while_the_first_backends_wait() -> None:
    registry_asked = threading.Event()

    def kafka() -> bool:  # sequential reads would wait the whole timeout here: the registry's comes later
        return registry_asked.wait(10)

    def registry() -> str:
        registry_asked.set()
        return "subjects"

    handles = overlapped([("kafka", kafka), ("registry", registry)])
    assert [h.result() for h in handles] == [True, "subjects"]


def test_the_first_backends_reads_run_in_the_callers_thread_in_order_when_asked() -> None:
    calls: list[tuple[str, int]] = []

    def read(name: str) -> str:
        calls.append((name, threading.get_ident()))
        return name

    handles = overlapped([("kafka", lambda: read("topics")), ("kafka", lambda: read("acls"))])
    assert calls == []  # nothing asked yet
    assert [h.result() for h in handles] == ["topics", "acls"]
    assert calls == [("topics", threading.get_ident()), ("acls", threading.get_ident())]


def test_a_background_error_is_raised_in_the_caller_and_its_backend_is_not_asked_again() -> None:
    asked: list[str] = []

    def fails() -> None:
        asked.append("first")
        raise ClusterError("the Schema Registry is unreachable")

    def after() -> str:
        asked.append("second")
        return "never"

    handles = overlapped([("kafka", lambda: "topics"), ("registry", fails), ("registry", after)])
    assert handles[0].result() == "topics"
    for handle in handles[1:]:
        with pytest.raises(ClusterError, match="unreachable"):
            handle.result()
    assert asked == ["first"]


def test_ctrl_c_while_waiting_for_a_background_read_is_raised_at_once() -> None:
    release = threading.Event()
    handles = overlapped([("kafka", lambda: "topics"), ("registry", lambda: release.wait(30))])
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    began = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            handles[1].result()
        assert time.monotonic() - began < 10  # at the Ctrl-C, long before the 30 s the read blocks
    finally:
        timer.join()
        release.set()


def test_no_reads_no_handles() -> None:
    assert overlapped([]) == []
