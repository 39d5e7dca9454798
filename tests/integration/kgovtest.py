"""Helpers for integration tests: the shared catalog helpers plus a PLAINTEXT (super user) admin client."""

from __future__ import annotations

import os

from confluent_kafka.admin import AdminClient

from tests.support import Result, kgov, unique_service, write_catalog

__all__ = ["Result", "admin", "kgov", "unique_service", "write_catalog"]


def admin() -> AdminClient:
    return AdminClient({"bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"]})
