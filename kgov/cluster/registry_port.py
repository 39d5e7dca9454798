"""The narrow interface through which kgov talks to a Schema Registry (Confluent's API).

Filled in with the subject kind; kgov/cluster/registry.py will be the only module speaking HTTP
to a registry, kgov/cluster/registry_memory.py its in-memory twin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class SchemaRegistry(Protocol):
    def subjects(self) -> Sequence[str]:
        """Every subject the registry holds (one request)."""
        ...
