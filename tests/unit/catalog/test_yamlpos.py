"""YAML with positions: values, file:line:col of every node, and refusals of hostile input."""

from __future__ import annotations

import time

import pytest
import yaml

from kgov.catalog.yamlpos import MAX_FILE_BYTES, YamlProblem, check_size, decode, parse


def problem(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as info:
        parse(text)
    assert info.value.hint, "every problem comes with a hint"
    return info.value


def test_values_and_positions() -> None:
    doc = parse("a: 1\nb:\n  - x\n  - {c: 2.5, d: true, e: ~, f: '7'}\n")
    assert doc.data == {"a": 1, "b": ["x", {"c": 2.5, "d": True, "e": None, "f": "7"}]}
    assert doc.positions[("a",)] == (1, 1)
    assert doc.positions[("b", 1)] == (4, 5)
    assert doc.positions[("b", 1, "d")] == (4, 14)
    assert doc.pos(("b", 1, "d", "missing")) == (4, 14)  # nearest ancestor


def test_empty_and_comment_only_documents_are_none() -> None:
    assert parse("").data is None
    assert parse("# nothing\n").data is None


def test_dates_and_binary_keep_their_text() -> None:
    assert parse("a: 2024-01-31\n").data == {"a": "2024-01-31"}


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    p = problem("a: 1\nb: 2\na: 3\n")
    assert (p.line, p.col) == (3, 1)
    assert "duplicate key 'a'" in p.message and "line 1" in p.message


def test_merge_keys_explicit_keys_win() -> None:
    doc = parse("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert doc.data["c"] == {"x": 1, "y": 3}


def test_tabs_get_a_tab_hint() -> None:
    p = problem("a:\n\t- b\n")
    assert p.line == 2 and "tabs" in (p.hint or "")


def test_one_document_only() -> None:
    p = problem("a: 1\n---\nb: 2\n")
    assert p.line == 2 and "one document" in p.message


def test_python_tags_are_refused_on_scalars_and_collections() -> None:
    assert "python" in problem("a: !!python/name:os.system x\n").message
    assert "unsupported tag" in problem("a: !!python/object/apply:os.system ['true']\n").message


def test_non_scalar_keys_are_refused() -> None:
    assert "plain value" in problem("? [a]\n: 1\n").message


def test_unknown_and_recursive_aliases_are_refused() -> None:
    assert "unknown alias" in problem("a: *nope\n").message
    assert "unknown alias" in problem("a: &r [*r]\n").message


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x\n", "{a: " * 50_000 + "1" + "}" * 50_000],
    ids=["flow-lists", "block-lists", "flow-maps"],
)
def test_deep_nesting_is_refused_fast_without_crashing(text: str) -> None:
    # kgov's check refuses a 65th level as it reads it; the YAML library may refuse first with its
    # own words (PyYAML 6.0.4's libyaml stops flow nesting at 1,000 levels while it scans ahead,
    # before kgov has read the 65th). Either way: a YamlProblem (lint's `yaml` diagnostic, exit 1)
    # positioned inside the nesting, with a hint, at once (the bound catches a hang, not a speed).
    start = time.perf_counter()
    p = problem(text)
    assert p.line == 1 and p.col > 64, (p.line, p.col)  # past kgov's limit, not the 1:1 of "somewhere"
    assert p.message.startswith(("YAML nests more than 64 levels deep", "invalid YAML: "))
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("depth", [65, 200, 999])
def test_nesting_past_kgovs_limit_is_refused_at_the_first_level_too_many(depth: int) -> None:
    # Below any YAML library's own limit, kgov's check is the one that answers, and where.
    for text in ("[" * depth + "]" * depth, "a:\n" + "".join("  " * i + "- \n" for i in range(1, depth))):
        p = problem(text)
        assert p.message == "YAML nests more than 64 levels deep"
        assert p.hint and "unclosed brackets" in p.hint
        assert (p.line, p.col) in ((1, 65), (65, 129))


def test_alias_bomb_is_refused_fast() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    start = time.perf_counter()
    p = problem("\n".join(lines))
    assert "alias" in p.message
    assert time.perf_counter() - start < 10  # a hang bound


def test_moderate_alias_use_is_fine() -> None:
    doc = parse("defaults: &d {partitions: 6}\ntopics:\n  - {<<: *d, name: a}\n  - {<<: *d, name: b}\n")
    assert doc.data["topics"][1] == {"partitions": 6, "name": "b"}


def test_non_utf8_points_at_the_byte() -> None:
    with pytest.raises(YamlProblem) as info:
        decode(b"a: 1\nbb: \xff\n")
    assert (info.value.line, info.value.col) == (2, 5)


def test_size_limit() -> None:
    check_size(MAX_FILE_BYTES)
    with pytest.raises(YamlProblem, match="MiB"):
        check_size(MAX_FILE_BYTES + 1)


@pytest.mark.parametrize(
    "text",
    ["0", "7", "007", "0x1f", "0o17", "1_000", "+5", "-5", "1:30", "123456789012345678",
     "1234567890123456789", "true", "Yes", "off", "~", "null", "1.5", ".inf", "-.5", "é", "abc", "x1", "١٢",
     "6.0", "<<x"],
)  # fmt: skip
def test_plain_scalars_keep_pyyamls_meaning(text: str) -> None:
    # The builder answers common scalars itself (a word, a plain decimal): the same values as PyYAML's.
    expected = yaml.safe_load(f"k: {text}\n")["k"]
    got = parse(f"k: {text}\n").data["k"]
    assert (type(got), got) == (type(expected), expected)
