"""The shortcuts lint takes at 100,000 topics give what the work they skip would give."""

from __future__ import annotations

import json

import pytest

from kgov.policy.compaction import STATE_DESCRIPTION, _says_state

DESCRIPTIONS = [
    "Event orders.created of the benchmark.",
    "Latest order of each customer.",
    "the LATEST value",
    "latestness is no word",
    "State of each order.",
    "state  of two spaces",
    "statement of account",
    "The current value of the stock.",
    "current values",
    "current VERSIONS of the price",
    "currently running",
    "A snapshot of the table.",
    "snapshots of tables",
    "\u017ftate of the order",  # long s: case-insensitive matching takes it for 's'
    "\u212aelvin: latest",  # Kelvin sign, and a match after it
    "Neueste Zustände, current state",
    "",
]


@pytest.mark.parametrize("description", DESCRIPTIONS)
def test_says_state_is_the_description_search(description: str) -> None:
    found, expected = _says_state(description), STATE_DESCRIPTION.search(description)
    assert (found and found.group(0)) == (expected and expected.group(0))


def test_find_references_answers_again_what_it_found_and_its_answer_is_the_callers() -> None:
    from kgov.schemas.references import Ref, Source, find_references

    def avro(name: str, uses: str = "string") -> str:
        field = {"name": "f", "type": uses}
        return json.dumps({"type": "record", "name": name, "namespace": "x", "fields": [field]})

    sources = {"a-value": Source("avro", avro("A", "x.B")), "b-value": Source("avro", avro("B"))}
    refs, problems = find_references(sources)
    assert refs["a-value"] == (Ref("x.B", "b-value"),) and problems == []
    refs["a-value"] = ()  # a caller's change to its answer is not the next caller's
    problems.append(("a-value", "edited"))
    assert find_references(dict(sources)) == ({"a-value": (Ref("x.B", "b-value"),), "b-value": ()}, [])
    changed = {**sources, "a-value": Source("avro", avro("A"))}  # same subjects, other text
    assert find_references(changed)[0]["a-value"] == ()


def _nested(seed: int) -> object:
    import random

    r = random.Random(seed)
    chars = '[]{}"\\ab\n\u00e9:,09'

    def text() -> str:
        return "".join(r.choice(chars) for _ in range(r.randint(0, 6)))

    def node(depth: int, limit: int) -> object:
        if depth > limit or r.random() < 0.03:
            return r.choice([text(), 1, None, True, 1.5])
        width = r.randint(1, 3) if depth < 6 else 1  # deep, not wide: a few hundred nodes
        if r.random() < 0.5:
            return [node(depth + 1, limit) for _ in range(width)]
        return {text(): node(depth + 1, limit) for _ in range(width)}

    return node(0, r.randint(0, 260))


@pytest.mark.parametrize("seed", range(60))
def test_the_quick_nesting_count_of_json_is_the_full_one(seed: int) -> None:
    from kgov import jsonread

    text = json.dumps(_nested(seed), ensure_ascii=seed % 2 == 0)
    assert jsonread._deepest_if_valid(text) == jsonread._deepest(text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 300 + "]" * 300,  # too deep: refused at the 201st bracket
        '["' + "[" * 300 + '"]',  # brackets in a string do not count
        "[" * 150 + '"\\' + "[" * 100,  # not JSON, too deep once the escape is read as text
        '["\\"' + "[" * 300 + '"]',
    ],
)
def test_loads_refuses_or_reads_as_it_did(text: str) -> None:
    from kgov import jsonread

    deep = jsonread._deepest(text) > jsonread.MAX_DEPTH
    try:
        jsonread.loads(text)
    except jsonread.JsonProblem as problem:
        assert deep == problem.message.startswith("nested deeper")
    else:
        assert not deep


@pytest.mark.parametrize(("levels", "refused"), [(199, False), (200, True)])
def test_a_schema_nested_to_the_limit_is_still_refused(levels: int, refused: bool) -> None:
    from kgov.schemas.model import SchemaError
    from kgov.schemas.source import load_json

    text = "[" * levels + "1" + "]" * levels  # the number one level deeper than the innermost array
    if refused:
        with pytest.raises(SchemaError, match="nested deeper than 200 levels"):
            load_json(text, "s.avsc")
    else:
        assert load_json(text, "s.avsc") is not None


def test_a_registered_schema_differs_as_its_normal_form_says() -> None:
    import dataclasses

    from kgov.cluster.registry.port import RegisteredSchema
    from kgov.kinds.subjects.desired import DesiredSubject
    from kgov.kinds.subjects.diff import _differs
    from kgov.schemas.model import Schema
    from kgov.schemas.normal import normal_form

    text = '{"type": "record", "name": "R", "fields": [{"name": "id", "type": "string"}]}'
    want = DesiredSubject("s-value", "avro", text, "schemas/s-value.avsc", "BACKWARD")
    want = dataclasses.replace(want, normal=normal_form(Schema("avro", text, "f")))

    def registered(schema: str) -> RegisteredSchema:
        return RegisteredSchema("s-value", 1, 1, "AVRO", schema)

    assert not _differs(want, registered(text))  # the same text
    assert not _differs(want, registered(text.replace(" ", "")))  # the same meaning
    assert _differs(want, registered(text.replace('"string"', '"long"')))
    unchecked = DesiredSubject("s-value", "avro", text, "schemas/s-value.avsc", "BACKWARD")
    assert _differs(unchecked, registered(text))  # no normal form (the schema had a problem)
