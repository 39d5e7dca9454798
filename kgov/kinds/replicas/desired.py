"""The replication factor the catalog wants for each topic in one environment (overrides applied, as
the topic kind's desired topics have it)."""

from __future__ import annotations

from kgov.catalog.model import Catalog, Environment


def desired_factors(catalog: Catalog, env: Environment) -> dict[str, int]:
    rf = env.overrides.replication_factor
    return {t.name: rf if rf is not None else t.replication_factor for t in catalog.topics()}
