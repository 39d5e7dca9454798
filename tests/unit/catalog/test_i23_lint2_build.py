"""build.topics_file passes Topic's fields by position: each lands in the field of its name."""

from __future__ import annotations

import dataclasses

from kgov.catalog import build
from kgov.catalog.model import SchemaRef, Source, Topic
from kgov.catalog.yamlpos import YamlDoc

SRC = Source("topics/orders.yaml", YamlDoc({}, {}))


def test_every_field_of_a_built_topic_is_the_one_written() -> None:
    full = {
        "name": "orders.created",
        "owner": "team-x",
        "description": "d",
        "partitions": 6,
        "replication_factor": 3,
        "classification": "pii",
        "config": {"retention.ms": "7d"},
        "key_schema": {"subject": "k", "compatibility": "FULL"},
        "value_schema": "v",
    }
    bare = {"name": "orders.other", "partitions": 1, "replication_factor": 2}
    data = {"service": "orders", "owner": "team-o", "topics": [full, bare, dict(bare, name="skipped")]}
    built = build.topics_file(SRC, data, [True, True, False])
    expected = (
        Topic(
            SRC,
            ("topics", 0),
            name="orders.created",
            service="orders",
            owner="team-x",
            description="d",
            partitions=6,
            replication_factor=3,
            classification="pii",
            config={"retention.ms": "7d"},
            key_schema=SchemaRef("k", "FULL"),
            value_schema=SchemaRef("v"),
        ),
        Topic(
            SRC,
            ("topics", 1),
            name="orders.other",
            service="orders",
            owner="team-o",
            replication_factor=2,
        ),
    )
    assert built.topics == expected
    for got, want in zip(built.topics, expected, strict=True):  # the fields equality skips too
        assert got.path == want.path and got.src is SRC
        assert dataclasses.asdict(got) == dataclasses.asdict(want)
    assert built.topics[0].config is not full["config"]  # a copy: the document is never shared
    assert built.topics[1].config == {} and built.topics[1].config is not build._NO_CONFIG


def test_entry_paths_are_shared_equal_tuples() -> None:
    many = {
        "service": "orders",
        "topics": [{"name": f"orders.t{i}", "partitions": 1, "replication_factor": 1} for i in range(300)],
    }
    few = {"service": "orders", "topics": many["topics"][:3]}
    first = build.topics_file(SRC, few, [True] * 3)
    second = build.topics_file(SRC, many, [True] * 300)
    assert [t.path for t in second.topics] == [("topics", i) for i in range(300)]
    assert first.topics[2].path == ("topics", 2)
    access = build.access_file(
        SRC,
        {
            "service": "a",
            "principal": "User:a",
            "acls": [{"resource": "topic", "name": "x", "operations": ["read"]}] * 5,
        },
    )
    assert [a.path for a in access.acls] == [("acls", i) for i in range(5)]
