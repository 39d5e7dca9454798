"""The replication factor the catalog wants for each topic in one environment (overrides applied, as
the topic kind's desired topics have it)."""

from __future__ import annotations

from kgov.catalog.model import Catalog, Environment


def desired_factors(catalog: Catalog, env: Environment) -> dict[str, int]:
    rf = env.overrides.replication_factor
    # the files' topics in their order, as catalog.topics(), without a generator call a topic
    # (100,000 topics: 0.015 -> 0.008 s of every plan)
    if rf is not None:
        return {t.name: rf for f in catalog.topic_files for t in f.topics}
    return {t.name: t.replication_factor for f in catalog.topic_files for t in f.topics}
