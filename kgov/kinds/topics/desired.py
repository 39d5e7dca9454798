"""The topics the catalog wants in one environment: overrides applied, configs in Kafka's form."""

from __future__ import annotations

from kgov.catalog.model import Catalog, Environment, Overrides, Topic, TopicsFile
from kgov.errors import ConfigError
from kgov.kafka_configs import ConfigValueError, normalize
from kgov.state import TopicSpec

# The overrides seen, one object per value: a scoped plan's catalogs hold equal overrides in distinct
# objects (the plan's settings come from the base), and `is` is what a remembered spec is checked with.
_overrides: list[Overrides] = []


# id(topics file) -> (the file, overrides, its topics' specs by name). A scoped plan derives the
# working tree's desired topics twice and the base's once, and the base catalog shares the working
# tree's file objects for every file that did not change (kgov/review/base.py): nearly every answer
# is found here (100,000 topics in 1,000 files: 1,000 lookups). The file is held, so its id cannot be
# reused by another object while it is remembered.
_files: dict[int, tuple[TopicsFile, Overrides, dict[str, TopicSpec]]] = {}
_REMEMBERED = 30_000  # files


def desired_topics(catalog: Catalog, env: Environment) -> dict[str, TopicSpec]:
    ov = _same(env.overrides)
    out: dict[str, TopicSpec] = {}
    for topics_file in catalog.topic_files:
        out.update(_file_specs(topics_file, ov))
    return out


def _file_specs(topics_file: TopicsFile, ov: Overrides) -> dict[str, TopicSpec]:
    known = _files.get(id(topics_file))
    if known is not None and known[0] is topics_file and known[1] is ov:
        return known[2]
    specs = {topic.name: _spec(topic, ov) for topic in topics_file.topics}
    if len(_files) >= _REMEMBERED:
        _files.clear()
    _files[id(topics_file)] = (topics_file, ov, specs)
    return specs


def _same(ov: Overrides) -> Overrides:
    for seen in _overrides:
        if seen is ov or seen == ov:
            return seen
    if len(_overrides) >= 64:
        _overrides.clear()
    _overrides.append(ov)
    return ov


def _spec(topic: Topic, ov: Overrides) -> TopicSpec:
    raw = {**topic.config, **ov.config}
    try:
        config = {key: normalize(key, value) for key, value in raw.items()}
    except ConfigValueError as exc:  # lint reports these with positions; plan refuses earlier
        raise ConfigError(f"topic {topic.name}: {exc}") from None
    return TopicSpec(
        topic.name,
        ov.partitions if ov.partitions is not None else topic.partitions,
        ov.replication_factor if ov.replication_factor is not None else topic.replication_factor,
        config,
    )
