"""The second round of 100,000-topic shortcuts in lint's rules gives what the general path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgov.catalog.model import DEFAULT_TOPIC_NAME, Catalog, Policy, Settings, Source, Topic, TopicsFile
from kgov.catalog.yamlpos import YamlDoc
from kgov.policy.context import Context

NAMES = [
    "orders.created",
    "orders.created.v2",
    "orders",
    "Orders.Created",
    ".created",
    "orders.",
    "orders..x",
    "a.b.c.d",
    "orders.created\n",
    "orders\n.created",
    "ordérs.créé",
    "orders-eu.stock-level",
    "9orders.created",
    "orders_x.y",
    "",
    ".",
]
PATTERNS = [
    DEFAULT_TOPIC_NAME,
    r"^[a-z.]+$",  # no named groups
    r"^(?P<team>[a-z]+)\.[a-z.]+$",  # named groups, neither service nor event
    r"^(?P<service>[a-z]+)\.(?P<event>[a-z.]+)$",  # RE2, groups that differ from the split
    r"^[a-z]+\.(?P<event>[a-z]+)\.v[0-9]+$",
    "^(",  # refused
]


def _context(pattern: str) -> Context:
    src = Source("topics/x.yaml", YamlDoc({}, {}))
    topics = tuple(Topic(src, ("topics", i), name=n, service="orders") for i, n in enumerate(NAMES))
    settings = Settings(src, (), policy=Policy(topic_name=pattern))
    return Context(Catalog(Path("."), settings, (TopicsFile(src, (), service="orders", topics=topics),)), ())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_topic_parts_are_the_parts_of_each_name_by_the_pattern(pattern: str) -> None:
    ctx = _context(pattern)
    assert ctx.topic_parts == tuple(ctx._parts(t.name) for t in ctx.topics)
    assert ctx.topic_parts == tuple(_context(pattern).parts(t.name) for t in ctx.topics)


def test_the_default_pattern_and_the_split_are_the_same_on_every_name() -> None:
    ctx = _context(DEFAULT_TOPIC_NAME)
    assert ctx._parts_are_split
    assert not _context(PATTERNS[3])._parts_are_split
