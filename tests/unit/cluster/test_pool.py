"""The registry's worker pool: bounded, ordered, reused (keep-alive connections), stopped by the
first error, and by Ctrl-C at once without the calls not yet started."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kgov.catalog.model import Environment
from kgov.cluster.pool import WorkerPool, run_all
from kgov.cluster.registry.adapter import connect_registry


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.most = self.started = 0
        self.threads: set[int] = set()

    def __call__(self, item: int) -> int:
        with self.lock:
            self.started += 1
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.add(threading.get_ident())
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
        return item * item


def test_results_in_order_at_most_size_at_once_on_the_same_threads() -> None:
    pool, record = WorkerPool(4), Recorder()
    assert list(pool.run(record, list(range(30))).items()) == [(i, i * i) for i in range(30)]
    assert record.most == 4
    first = set(record.threads)
    assert pool.run(record, list(range(30))) == {i: i * i for i in range(30)}
    assert record.threads == first and threading.get_ident() not in first  # kept, not renewed


def test_one_at_a_time_runs_in_the_callers_thread() -> None:
    record = Recorder()
    assert run_all(record, [1, 2, 3], concurrency=1) == {1: 1, 2: 4, 3: 9}
    assert record.threads == {threading.get_ident()} and record.most == 1


def test_a_worker_running_a_batch_does_not_wait_on_its_own_pool() -> None:
    pool = WorkerPool(2)
    nested = pool.run(lambda i: sum(pool.run(lambda j: j * i, [1, 2, 3]).values()), [1, 2, 3, 4])
    assert nested == {1: 6, 2: 12, 3: 18, 4: 24}


def test_the_first_error_is_raised_and_no_later_call_starts() -> None:
    pool, started = WorkerPool(2), []

    def fn(item: int) -> int:
        started.append(item)
        if item == 3:
            raise ValueError("item 3")
        time.sleep(0.01)
        return item

    with pytest.raises(ValueError, match=r"^item 3$"):
        pool.run(fn, list(range(50)))
    time.sleep(0.1)
    assert 3 in started and len(started) <= 6  # the calls in flight when 3 failed, not the 46 left


def test_ctrl_c_is_raised_at_once_and_the_calls_not_started_never_start() -> None:
    pool, release, started = WorkerPool(3), threading.Event(), []

    def blocked(item: int) -> int:
        started.append(item)
        release.wait(30)
        return item

    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pool.run(blocked, list(range(20)))
    assert time.monotonic() - began < 10  # at the Ctrl-C, long before the 30 s the calls block
    timer.join()
    release.set()
    time.sleep(0.2)
    assert sorted(started) == [0, 1, 2]


@pytest.fixture
def keep_alive_server() -> Iterator[tuple[str, list[int]]]:
    """An HTTP/1.1 registry answering every subject's latest version; the client ports it saw."""
    ports: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            ports.append(self.client_address[1])  # once per connection

        def do_GET(self) -> None:
            subject = self.path.split("/")[3]
            data = json.dumps({"subject": subject, "version": 1, "id": 1, "schema": '"string"'}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api", ports
    httpd.shutdown()
    httpd.server_close()


def env(url: str) -> Environment:
    return Environment(None, (), name="test", schema_registry={"url": url})  # type: ignore[arg-type]


def test_batches_reuse_each_threads_keep_alive_connection(keep_alive_server: tuple[str, list[int]]) -> None:
    url, ports = keep_alive_server
    registry = connect_registry(env(url))
    subjects = [f"s{i}" for i in range(200)]
    for _ in range(3):
        found = registry.latest(subjects)
        assert all(found[s] is not None for s in subjects)
    assert registry.requests == 600
    assert len(ports) <= registry.concurrency  # 600 requests over at most 8 connections


def test_ctrl_c_stops_reads_from_a_registry_that_never_answers() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=64) as silent:
        registry = connect_registry(env(f"http://127.0.0.1:{silent.getsockname()[1]}/api"), timeout_s=60)
        timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        began = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            registry.latest([f"s{i}" for i in range(100)])
        assert time.monotonic() - began < 10  # at the Ctrl-C, long before the 60 s timeout
        timer.join()
        assert registry.requests <= registry.concurrency  # the rest never started
