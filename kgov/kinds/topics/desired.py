"""The topics the catalog wants in one environment: overrides applied, configs in Kafka's form."""

from __future__ import annotations

from collections.abc import Sequence

from kgov.catalog.model import Catalog, Environment, Overrides, Topic, TopicsFile
from kgov.errors import ConfigError
from kgov.kafka_configs import ConfigValueError, normalize
from kgov.kinds.by_file import differing, unique_after, unique_topic_names
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


# The last answer of _valid_configs: (topic files, overrides, valid?); a scoped plan asks twice of
# the same files (the plan's catalog shares the working tree's) and overrides (one object: _same).
_checked: list[tuple[tuple[TopicsFile, ...], Overrides, bool]] = []


def _valid_configs(catalog: Catalog, ov: Overrides) -> bool:
    """Every topic's config and the overrides' in Kafka's form without an error: then deriving a few
    topics' specs raises nothing that deriving them all would (else the caller derives them all, and
    raises what the whole catalog raises, where it raises it)."""
    files = catalog.topic_files
    last = next(iter(_checked), None)  # one read: plans of several environments may run in threads
    if last is not None and last[0] is files and last[1] is ov:
        return last[2]
    valid = _configs_normalise(files, ov)
    _checked[:] = [(files, ov, valid)]
    return valid


def _configs_normalise(files: tuple[TopicsFile, ...], ov: Overrides) -> bool:
    try:
        for key, value in ov.config.items():
            normalize(key, value)
        for topics_file in files:
            for topic in topics_file.topics:
                for key, value in topic.config.items():
                    normalize(key, value)
    except ConfigValueError:
        return False
    return True


def changed_topic_specs(
    head: Catalog, base: Catalog, env_head: Environment, env_base: Environment
) -> tuple[dict[str, TopicSpec], dict[str, TopicSpec]] | None:
    """Both sides' specs of the topics in the files that differ between the catalogs (the others are
    the same objects on both sides, so are their specs), or None: the overrides differ, a topic name
    is declared twice, or a config would not normalise (kgov/kinds/by_file.py)."""
    ov = _same(env_head.overrides)
    names = unique_topic_names(head)
    if _same(env_base.overrides) is not ov or names is None or not _valid_configs(head, ov):
        return None
    new, old = differing(head.topic_files, base.topic_files)
    if not unique_after(names, new, old):
        return None
    after: dict[str, TopicSpec] = {}
    for topics_file in new:
        after.update(_file_specs(topics_file, ov))
    before: dict[str, TopicSpec] = {}
    for topics_file in old:  # the first bad config raises as deriving the base in full would
        before.update(_file_specs(topics_file, ov))
    return after, before


def topic_specs_of(catalog: Catalog, env: Environment, names: Sequence[str]) -> dict[str, TopicSpec] | None:
    """`desired_topics(catalog, env)` restricted to `names`, in its order, or None when a config would
    not normalise (then derive them all: the same error, raised where it is raised)."""
    ov = _same(env.overrides)
    if not _valid_configs(catalog, ov):
        return None
    wanted = frozenset(names)
    last: dict[str, TopicsFile] = {}  # the file whose spec of the name wins (the last, as `update`)
    for topics_file in catalog.topic_files:
        for topic in topics_file.topics:
            if topic.name in wanted:
                last[topic.name] = topics_file
    return {name: _file_specs(topics_file, ov)[name] for name, topics_file in last.items()}
