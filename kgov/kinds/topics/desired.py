"""The topics the catalog wants in one environment: overrides applied, configs in Kafka's form."""

from __future__ import annotations

from kgov.catalog.model import Catalog, Environment, Overrides, Topic
from kgov.errors import ConfigError
from kgov.kafka_configs import ConfigValueError, normalize
from kgov.state import TopicSpec

# id(topic) -> (topic, overrides, its spec). A scoped plan derives the working tree's desired topics
# twice and the base's once, and the base catalog shares the working tree's objects for every file
# that did not change (kgov/review/base.py): nearly every answer is found here. The topic is held,
# so its id cannot be reused by another object while it is remembered. Room for both catalogs of a
# scoped plan of 100,000 topics (the base's changed files are objects of their own): were it full
# midway, the base's topics would push out the working tree's and each pass derive them all again.
_specs: dict[int, tuple[Topic, Overrides, TopicSpec]] = {}
_REMEMBERED = 300_000


def desired_topics(catalog: Catalog, env: Environment) -> dict[str, TopicSpec]:
    ov = env.overrides
    return {topic.name: _spec(topic, ov) for topic in catalog.topics()}


def _spec(topic: Topic, ov: Overrides) -> TopicSpec:
    known = _specs.get(id(topic))
    if known is not None and known[0] is topic and (known[1] is ov or known[1] == ov):
        return known[2]
    raw = {**topic.config, **ov.config}
    try:
        config = {key: normalize(key, value) for key, value in raw.items()}
    except ConfigValueError as exc:  # lint reports these with positions; plan refuses earlier
        raise ConfigError(f"topic {topic.name}: {exc}") from None
    spec = TopicSpec(
        topic.name,
        ov.partitions if ov.partitions is not None else topic.partitions,
        ov.replication_factor if ov.replication_factor is not None else topic.replication_factor,
        config,
    )
    if len(_specs) >= _REMEMBERED:
        _specs.clear()
    _specs[id(topic)] = (topic, ov, spec)
    return spec
