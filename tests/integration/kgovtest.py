"""Helpers for integration tests: the shared catalog helpers plus a PLAINTEXT (super user) admin client."""

from __future__ import annotations

import os
from functools import cache

from confluent_kafka.admin import AdminClient

from tests.support import Result, kgov, unique_service, write_catalog

__all__ = ["Result", "admin", "kgov", "unique_service", "write_catalog"]


@cache
def admin() -> AdminClient:
    """One client for the session: a client dropped before its futures resolve cancels them."""
    return AdminClient({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
