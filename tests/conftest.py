"""Fixtures for every test."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from kgov import secrets


@pytest.fixture(autouse=True)
def _fresh_secrets() -> Iterator[None]:
    """Each test starts with no remembered secret: kgov redacts every value it resolved in its
    process, and a test that resolves ${env:HOME} as a password would otherwise redact 'root' from
    every later test's paths."""
    secrets.forget()
    yield
    secrets.forget()


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C tests signal this process: a shell that ran pytest in the background started it with
    SIGINT ignored, and Python then raises no KeyboardInterrupt. Give it Python's own handler back."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
