"""The compiled structural checks: current with their schemas, and never looser than jsonschema.

A document the compiled check passes gets no jsonschema run at all, so a check that passed what
jsonschema refuses would silently drop a diagnostic. Hypothesis mutates the example's documents
(values of every type at every path, removed and unknown keys) and compares the two verdicts.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgov.catalog import compile_validators, fastcheck
from kgov.catalog.messages import schema
from kgov.catalog.yamlpos import parse
from kgov.schemas.wellformed import COMPILED_DRAFTS, DIALECTS
from tests.support import node_paths

EXAMPLE = Path(__file__).resolve().parents[3] / "catalog"
DOCS: list[tuple[str, Any]] = [("kgov", parse((EXAMPLE / "kgov.yaml").read_text("utf-8")).data)]
DOCS += [("topics", parse(p.read_text("utf-8")).data) for p in sorted((EXAMPLE / "topics").glob("*.yaml"))]
DOCS += [("acls", parse(p.read_text("utf-8")).data) for p in sorted((EXAMPLE / "acls").glob("*.yaml"))]
JSON_SCHEMAS = [json.loads(p.read_text("utf-8")) for p in sorted((EXAMPLE / "schemas").glob("*.json"))]
DRAFT_OF = {name: uri for uri, name in COMPILED_DRAFTS.items()}
VALUE_LIST: list[Any] = [None, True, False, 0, -1, 1, 6, 6.0, 0.5, 2**70, "", "x", "6", "orders.created"]
VALUE_LIST += ["^(a", [], {}, ["x"], ["x", "x"], [1], {"a": 1}, {"type": "string"}, "delete", "*", "User:x"]
VALUES = st.sampled_from(VALUE_LIST)


@st.composite
def mutated(draw: st.DrawFn, docs: list[tuple[str, Any]]) -> tuple[str, Any]:
    kind, original = draw(st.sampled_from(docs))
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(node_paths(doc)))
        if not path:
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        how = draw(st.sampled_from(["set", "drop", "add"]))
        if how == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        elif how == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "partitons", 7, "name"]))] = copy.deepcopy(draw(VALUES))
        else:
            parent[path[-1]] = copy.deepcopy(draw(VALUES))
    return kind, doc


@pytest.mark.parametrize("kind", compile_validators.KINDS)
def test_each_generated_module_is_what_its_schema_compiles_to(kind: str) -> None:
    generated = (compile_validators.COMPILED / f"{kind}_schema.py").read_text("utf-8")
    stale = "stale: run python3 -m kgov.catalog.compile_validators"
    assert generated == compile_validators.generate(kind), stale


def test_the_example_passes_the_compiled_checks() -> None:
    assert all(fastcheck.valid(kind, doc) for kind, doc in DOCS)
    assert all(fastcheck.valid("draft7", s) for s in JSON_SCHEMAS)


@pytest.mark.parametrize("value", [6.0, True, "6", None])
def test_a_whole_number_field_refuses_what_kafka_refuses(value: object) -> None:
    doc = {"service": "a", "topics": [{"name": "a.b", "partitions": value, "replication_factor": 1}]}
    assert not fastcheck.valid("topics", doc)
    assert fastcheck.valid("topics", {**doc, "topics": [{**doc["topics"][0], "partitions": 6}]})


def test_version_is_the_whole_number_one() -> None:
    assert [fastcheck.valid("kgov", {"version": v}) for v in (1, 1.0, True, 2)] == [True, False, False, False]


def _every_single_edit(kind: str, original: Any) -> list[Any]:
    out = []
    for path in node_paths(original)[1:]:
        for value in VALUE_LIST:
            doc = copy.deepcopy(original)
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = copy.deepcopy(value)
            out.append(doc)
    return out


@pytest.mark.parametrize("index", range(len(DOCS)))
def test_every_single_value_edit_gets_the_same_verdict(index: int) -> None:
    kind, original = DOCS[index]
    for doc in _every_single_edit(kind, original):
        before = copy.deepcopy(doc)
        fast = fastcheck.valid(kind, doc)
        assert doc == before  # the check never fills in defaults or otherwise edits the document
        assert fast == (not list(schema(kind).iter_errors(doc))), doc


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(DOCS))
def test_the_compiled_catalog_check_is_never_looser(case: tuple[str, Any]) -> None:
    kind, doc = case
    if fastcheck.valid(kind, doc):
        assert list(schema(kind).iter_errors(doc)) == []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated([("draft7", s) for s in JSON_SCHEMAS]), st.sampled_from(sorted(DRAFT_OF)))
def test_the_compiled_meta_schema_check_is_never_looser(case: tuple[str, Any], draft: str) -> None:
    _, doc = case
    if isinstance(doc, dict):
        doc["$schema"] = DRAFT_OF[draft] + "#"
    if fastcheck.valid(draft, doc):
        jsonschema.validators.validator_for(doc).check_schema(doc)


def test_the_known_drafts_are_jsonschemas() -> None:
    drafts = (
        jsonschema.Draft3Validator,
        jsonschema.Draft4Validator,
        jsonschema.Draft6Validator,
        jsonschema.Draft7Validator,
        jsonschema.Draft201909Validator,
        jsonschema.Draft202012Validator,
    )
    assert {str(v.META_SCHEMA.get("$id", v.META_SCHEMA.get("id"))).rstrip("#") for v in drafts} == DIALECTS


def _compiled_valid(kind: str, doc: Any) -> bool:
    return fastcheck.problem(kind, doc) is None


TOPIC_DOCS = [doc for kind, doc in DOCS if kind == "topics"]
COMMON_TOPICS = {
    "service": "b000",
    "owner": "team-b000",
    "topics": [
        {
            "name": "b000.e0",
            "value_schema": "b000.e0-value",
            "description": "x",
            "partitions": 1,
            "replication_factor": 1,
            "config": {"retention.ms": 86400000, "cleanup.policy": "delete"},
        },
        {"name": "b000.e1", "partitions": 1, "replication_factor": 1},
        {
            "name": "b000.e2",
            "owner": "o",
            "classification": "pii",
            "partitions": 3,
            "replication_factor": 3,
            "key_schema": {"subject": "k", "compatibility": "FULL"},
            "config": {"a": True, "b": "1d"},
        },
    ],
}


def test_the_common_topics_shape_takes_the_hand_written_check() -> None:
    assert all(fastcheck.plain_topics(doc) for doc in TOPIC_DOCS)
    assert fastcheck.plain_topics(COMMON_TOPICS)


@pytest.mark.parametrize("original", [COMMON_TOPICS, *TOPIC_DOCS])
def test_the_hand_written_topics_check_is_never_looser_than_the_compiled_one(original: Any) -> None:
    edits = _every_single_edit("topics", original)
    for doc in edits:
        if fastcheck.plain_topics(doc):
            assert _compiled_valid("topics", doc), doc
    # and it is not vacuous: some edits keep the file valid and still take the hand-written check
    assert any(fastcheck.plain_topics(doc) for doc in edits)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated([("topics", COMMON_TOPICS), *(("topics", d) for d in TOPIC_DOCS)]))
def test_mutated_topics_files_never_pass_the_hand_written_check_alone(case: tuple[str, Any]) -> None:
    _, doc = case
    if fastcheck.plain_topics(doc):
        assert _compiled_valid("topics", doc)
        assert list(schema("topics").iter_errors(doc)) == []


# the example's acls files without what the hand-written check leaves to the compiled one
ACCESS_DOCS = [
    {k: v for k, v in doc.items() if k not in ("authentication", "quotas", "principals")}
    for kind, doc in DOCS
    if kind == "acls"
]
COMMON_ACCESS = {
    "service": "b000",
    "owner": "team-b000",
    "principal": "User:b000",
    "idempotent": True,
    "produces": ["b000.e0", "b000.e1"],
    "consumes": ["b001.e0"],
    "consumer_groups": ["b000"],
    "transactional_ids": ["b000-tx"],
    "acls": [
        {"resource": "topic", "name": "b000.", "pattern": "prefixed", "operations": ["describe_configs"]},
        {
            "resource": "group",
            "name": "g",
            "operations": ["read", "describe"],
            "permission": "deny",
            "host": "h",
        },
    ],
}


def test_the_common_access_shape_takes_the_hand_written_check() -> None:
    assert fastcheck.plain_access(COMMON_ACCESS)
    assert all(fastcheck.plain_access(doc) for doc in ACCESS_DOCS)
    for kind, doc in DOCS:  # the example's own files (a login each) go to the compiled check
        if kind == "acls":
            assert not fastcheck.plain_access(doc) and fastcheck.valid("acls", doc)


@pytest.mark.parametrize("original", [COMMON_ACCESS, *ACCESS_DOCS])
def test_the_hand_written_access_check_is_never_looser_than_the_compiled_one(original: Any) -> None:
    edits = _every_single_edit("acls", original)
    for doc in edits:
        if fastcheck.plain_access(doc):
            assert _compiled_valid("acls", doc), doc
    assert any(fastcheck.plain_access(doc) for doc in edits)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated([("acls", COMMON_ACCESS), *(("acls", d) for d in ACCESS_DOCS)]))
def test_mutated_access_files_never_pass_the_hand_written_check_alone(case: tuple[str, Any]) -> None:
    _, doc = case
    if fastcheck.plain_access(doc):
        assert _compiled_valid("acls", doc)
        assert list(schema("acls").iter_errors(doc)) == []
