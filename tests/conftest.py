"""Fixtures for every test."""

from __future__ import annotations

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
