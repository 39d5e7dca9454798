"""Small builders for desired states, so diff tests read as data."""

from __future__ import annotations

from kgov.catalog.model import Environment, Ownership, Source
from kgov.catalog.resolve import DesiredState, DesiredTopic
from kgov.catalog.yamlpos import YamlDoc

ENV = Environment(Source("kgov.yaml", YamlDoc({}, {})), (), name="test")


def topic(name: str, partitions: int = 3, rf: int = 3, **config: str) -> DesiredTopic:
    return DesiredTopic(
        name, name.split(".")[0], partitions, rf, {k.replace("_", "."): v for k, v in config.items()}
    )


def desired(*topics: DesiredTopic, services: tuple[str, ...] | None = None) -> DesiredState:
    svc = services if services is not None else tuple(sorted({t.service for t in topics}))
    return DesiredState(ENV, {t.name: t for t in topics}, svc)


OWN = Ownership(protected=("__*", "_*"), delete=False)
OWN_DELETE = Ownership(protected=("__*", "_*"), delete=True)
