"""Secrets in settings: which fields hold them, and (later) how their references are resolved."""

from __future__ import annotations

# Fields that hold a secret, in every block that has them (kafka, schema_registry, SCRAM
# authentication): written as references, never quoted in a message, never printed resolved.
SECRET_FIELDS = frozenset({"password", "ssl_key_password"})
