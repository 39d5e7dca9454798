"""The parse cache takes a topics or acls entry of the common shape after one check
(kgov/catalog/cache.py `_common`: fastcheck's hand-written check, plus a config value's bound)
instead of two walks (`plain`, then the structural check). A forged entry gets no further: whatever
`_common` accepts, `plain` and the structural check accept too, and what it refuses goes through
them as before."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgov.catalog import cache as cache_mod
from kgov.catalog import fastcheck
from kgov.catalog.model import SchemaRef, Source, Topic, topic
from kgov.catalog.yamlpos import YamlDoc
from tests.support import node_paths as paths_of
from tests.unit.test_fuzz_catalog import VALUES

TOPICS: dict[str, Any] = {
    "service": "orders",
    "owner": "team",
    "topics": [
        {"name": "orders.a", "partitions": 3, "replication_factor": 1},
        {
            "name": "orders.b",
            "description": "d",
            "partitions": 1,
            "replication_factor": 3,
            "classification": "pii",
            "config": {"retention.ms": 86400000, "cleanup.policy": "compact", "x": True},
            "key_schema": "orders.b-key",
            "value_schema": {"subject": "orders.b-value", "compatibility": "FULL"},
        },
    ],
}
ACLS: dict[str, Any] = {
    "service": "orders",
    "owner": "team",
    "principal": "User:orders",
    "produces": ["orders.a"],
    "consumes": ["billing.x"],
    "consumer_groups": ["orders"],
    "transactional_ids": ["orders-"],
    "idempotent": True,
    "acls": [{"resource": "topic", "name": "orders.", "pattern": "prefixed", "operations": ["describe"]}],
}


def _implied(kind: str, data: Any) -> None:
    if cache_mod._common(kind, data):
        assert cache_mod.plain(data) and fastcheck.valid(kind, data)


def test_the_common_shapes_take_the_shortcut() -> None:
    assert cache_mod._common("topics", TOPICS) and cache_mod._common("acls", ACLS)
    assert not cache_mod._common("cluster", TOPICS)


@pytest.mark.parametrize(
    "value", [10**18, -(10**18), 10**30, 1.5, None, [1], {"a": 1}, float("nan")], ids=repr
)
def test_a_config_value_plain_refuses_is_refused(value: Any) -> None:
    data = copy.deepcopy(TOPICS)
    data["topics"][1]["config"]["retention.ms"] = value
    assert not cache_mod._common("topics", data)
    _implied("topics", data)


def test_the_largest_bounded_int_is_taken() -> None:
    data = copy.deepcopy(TOPICS)
    data["topics"][1]["config"]["retention.ms"] = 10**18 - 1
    assert cache_mod._common("topics", data) and cache_mod.plain(data)


def test_a_forged_entry_with_a_huge_config_int_is_a_miss(tmp_path: Path) -> None:
    text = yaml.safe_dump(TOPICS)
    cache = cache_mod.Cache(tmp_path)
    forged = copy.deepcopy(TOPICS)
    forged["topics"][1]["config"]["retention.ms"] = 10**40
    digest = cache_mod.key(text, "topics")
    target = cache._path(digest)
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"key": digest, "data": forged}))
    assert cache.get(text, "topics") is None
    target.write_text(json.dumps({"key": digest, "data": TOPICS}))
    assert cache.get(text, "topics") == TOPICS


EDITS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _edited(draw: st.DrawFn) -> tuple[str, Any]:
    """A topics or acls document with one node replaced, removed or renamed."""
    kind = draw(st.sampled_from(["topics", "acls"]))
    data: Any = copy.deepcopy(TOPICS if kind == "topics" else ACLS)
    path = draw(st.sampled_from(paths_of(data)[1:]))
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = draw(st.sampled_from(["replace", "delete", "rename"]))
    if action == "replace":
        parent[last] = draw(st.one_of(VALUES, st.integers(), st.floats(), st.none()))
    elif action == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[draw(st.text(max_size=8))] = parent.pop(last)
    return kind, json.loads(json.dumps(data))  # as an entry is read back


@EDITS
@given(_edited())
def test_whatever_the_shortcut_takes_plain_and_the_structural_check_take(edited: tuple[str, Any]) -> None:
    _implied(*edited)


def test_topic_builds_what_the_dataclass_builds() -> None:
    src = Source("topics/orders.yaml", YamlDoc({}, {}))
    values = (src, ("topics", 1), "orders.b", "orders", "o", "d", 6, 3, "pii", {"a": "1"}, SchemaRef("k"))
    made, want = topic(*values, None), Topic(*values, None)
    assert made == want and repr(made) == repr(want)
    assert list(vars(made)) == [f.name for f in dataclasses.fields(Topic)]  # every field, in order
    assert vars(made) == vars(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "x"  # type: ignore[misc]
    assert dataclasses.replace(made, name="orders.c").name == "orders.c"
