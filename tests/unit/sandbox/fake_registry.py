"""A stand-in for a starting Schema Registry on 127.0.0.1: it misbehaves as a JVM that has just opened
its port does (drops connections without an answer, resets them, answers 503), then serves the few
calls `kgov sandbox up` makes (ccompat /subjects and /config, /apis/registry/v3/system/info)."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What the server does with one request: "close" (no answer), "reset" (RST), a status code, or "ok".
Behaviour = str


@dataclass
class FakeRegistry:
    port: int
    first: list[Behaviour]  # the behaviour of the first requests, in order; then `then`
    then: Behaviour = "ok"
    requests: list[str] = field(default_factory=list)  # "GET /path" of every request received
    compatibility: str = "NONE"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_behaviour(self, request: str) -> Behaviour:
        with self.lock:
            self.requests.append(request)
            return self.first.pop(0) if self.first else self.then


def _handler(fake: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            behaviour = fake.next_behaviour(f"{self.command} {self.path}")
            if behaviour == "close":
                self.close_connection = True  # closed without a status line: "remote end closed"
                return
            if behaviour == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True  # linger 0: the close sends RST
                return
            if behaviour != "ok":
                self._answer(int(behaviour), {"error_code": int(behaviour), "message": "starting"})
                return
            if self.path == "/apis/ccompat/v7/subjects":
                self._answer(200, [])
            elif self.path == "/apis/ccompat/v7/config" and self.command == "PUT":
                fake.compatibility = str((body or {})["compatibility"])
                self._answer(200, {"compatibility": fake.compatibility})
            elif self.path == "/apis/ccompat/v7/config":
                self._answer(200, {"compatibilityLevel": fake.compatibility})
            elif self.path == "/apis/registry/v3/system/info":
                self._answer(200, {"name": "Fake Registry", "version": "9.9.9"})
            else:
                self._answer(404, {"error_code": 404, "message": "no such path"})

        do_GET = do_PUT = _serve

    return Handler


@contextmanager
def fake_registry(first: list[Behaviour], then: Behaviour = "ok") -> Iterator[FakeRegistry]:
    """A FakeRegistry serving on a free port of 127.0.0.1 for the `with` block."""
    fake = FakeRegistry(0, list(first), then)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
