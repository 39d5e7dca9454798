"""Redaction while several environments are planned in threads (kgov/commands/plan_many.py): values
remembered in one thread while another redacts are never lost, and redacting never fails."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kgov import redact


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    redact.forget()
    yield
    redact.forget()


def test_remembering_and_redacting_at_once() -> None:
    failures: list[BaseException] = []
    stop = threading.Event()

    def remember(worker: int) -> None:
        try:
            for i in range(3000):
                redact.remember(f"secret-{worker}-{i:05d}-value", f"${{env:S{worker}_{i}}}")
        except BaseException as exc:  # pragma: no cover - what the test looks for
            failures.append(exc)

    def redacting() -> None:
        try:
            while not stop.is_set():
                redact.redact("a message quoting secret-0-00001-value and more text")
        except BaseException as exc:
            failures.append(exc)

    readers = [threading.Thread(target=redacting) for _ in range(3)]
    writers = [threading.Thread(target=remember, args=(w,)) for w in range(3)]
    for t in [*readers, *writers]:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert failures == []
    for worker in range(3):  # every value remembered is redacted afterwards, whoever built the pattern
        for i in range(0, 3000, 7):
            assert "secret" not in redact.redact(f"x secret-{worker}-{i:05d}-value y")
