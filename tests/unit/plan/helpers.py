"""Small builders for in-memory catalogs, so plan tests read as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kgov.catalog.model import Catalog, Environment, Overrides, Ownership, Settings, Source, Topic, TopicsFile
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.plan.model import Plan

SRC = Source("kgov.yaml", YamlDoc({}, {}))
ENV = "test"


def topic(name: str, partitions: int = 3, rf: int = 3, **config: str) -> Topic:
    return Topic(
        SRC,
        (),
        name=name,
        service=name.split(".")[0],
        partitions=partitions,
        replication_factor=rf,
        config={k.replace("_", "."): v for k, v in config.items()},
    )


def catalog(
    *topics: Topic,
    delete: bool = False,
    protected: tuple[str, ...] = ("__*", "_*"),
    overrides: Overrides | None = None,
    services: tuple[str, ...] = (),
) -> Catalog:
    env = Environment(SRC, (), name=ENV, overrides=overrides or Overrides())
    settings = Settings(
        SRC, (), ownership=Ownership(protected=protected, delete=delete), environments={ENV: env}
    )
    by_service: dict[str, list[Topic]] = {s: [] for s in services}
    for t in topics:
        by_service.setdefault(t.service, []).append(t)
    files = tuple(TopicsFile(SRC, (), service=s, topics=tuple(ts)) for s, ts in sorted(by_service.items()))
    return Catalog(Path("."), settings, topic_files=files)


def plan(cat: Catalog, cluster: MemoryCluster, *, allow_delete: bool = False, **kw: Any) -> Plan:
    return make_plan(cat, ENV, Backends(kafka=cluster), allow_delete=allow_delete, **kw)
