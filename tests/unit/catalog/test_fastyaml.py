"""The fast YAML reading (yaml-rs) is taken only where it gives exactly what yamlpos gives.

The property, on every text: either fast_values declines, or yamlpos accepts the text too and
reads the same values, with the same types (True is not 1), in the same key order."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kgov.catalog.fastyaml import LazyPositions, _unsure, fast_values, read
from kgov.catalog.yamlpos import YamlProblem, parse
from tests.repo_files import tracked_files

REPO = Path(__file__).resolve().parents[3]


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def agrees(text: str) -> bool:
    """The property; True also when the fast reading declined."""
    ok, fast = fast_values(text)
    if not ok:
        return fast is None
    try:
        slow = parse(text).data
    except YamlProblem:
        return False  # the fast reading accepted a text yamlpos refuses
    return same(fast, slow)


# Texts where YAML 1.1 (PyYAML) and YAML 1.2 (yaml-rs) read differently, or yamlpos refuses.
DIVERGENT = [
    "a: 0755\n", "a: 0o17\n", "a: 0b101\n", "a: 0x1F\n", "a: 1:30\n", "a: 1e3\n",
    "a: yes\n", "a: off\n", "a: 2024-01-01\n", "a: .inf\n", "a: 0.5\n", "a: &x 1\nb: *x\n",
    "a: {<<: {b: 1}}\n", "a: 1\n---\nb: 2\n", "a: 1\n...\n", "a: b\x85c: d\n", "a: !!str 1\n",
    "a: \"\\/\"\n", "? [1, 2]\n: 3\n", "1: a\n", "true: a\n", "null: a\n", "a: 1\na: 2\n",
    "a: [" + "[" * 70 + "]" * 71 + "\n", "a: " + "9" * 30 + "\n", "a: ''\n", "a:\tb\n",
    "%YAML 1.1\n---\na: 1\n", "\x1fa: b\n", "a: b\x7f\n", "a: \ufffe\n", "a: _1\n", "a: 1\r\nb: 2\r\n",
    "{a: |x}\n", "[>x]\n", "a: @x\n", "a: `x\n",
]  # fmt: skip


@pytest.mark.parametrize("text", DIVERGENT)
def test_divergent_texts_are_left_to_yamlpos(text: str) -> None:
    assert fast_values(text) == (False, None)


@pytest.mark.parametrize(
    "text",
    [
        "service: orders\nowner: team-orders\ntopics:\n  - name: orders.created\n    partitions: 6\n"
        "    replication_factor: 3\n    config:\n      retention.ms: 604800000\n"
        "      cleanup.policy: compact\n",
        "a: [x, y]\nb: {c: true, d: null, e: ~}\nf: 'quoted: yes'\nh: -12\n",
        "description: >\n  folded\n  text\nnote: |\n  kept\n  lines\nmore: |-  # chomped\n  x\n",
        "name: café\nlist:\n- 1\n- two\n",
        "a: 1_000\nb: -1_0\n",  # underscores inside a number: 1000 and -10 in both
        "",
        "# only a comment\n",
    ],
)
def test_plain_catalog_text_is_read_fast_and_the_same(text: str) -> None:
    ok, _ = fast_values(text)
    assert ok, "the common case must take the fast path, or the speed-up is silently lost"
    assert agrees(text)


def test_every_yaml_file_in_the_repository_agrees() -> None:
    # The files git tracks only (tests/repo_files.py): never a sandbox's data under .kgov/, which a
    # broker deletes while the suite runs.
    files = tracked_files("*.y*ml")
    assert len(files) > 20
    fast = 0
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        assert agrees(text), path
        fast += fast_values(text)[0]
    assert fast > len(files) // 2


def test_positions_are_found_when_first_asked_and_match_yamlpos() -> None:
    text = (REPO / "catalog" / "topics" / "orders.yaml").read_text("utf-8")
    doc = read(text)
    assert isinstance(doc.positions, LazyPositions)
    assert doc.positions._found is None  # nothing parsed twice until a position is needed
    slow = parse(text)
    assert doc.pos(("topics", 0, "partitions")) == slow.pos(("topics", 0, "partitions"))
    assert dict(doc.positions) == dict(slow.positions)


def test_a_divergent_text_is_read_by_yamlpos() -> None:
    doc = read("a: 0755\n")
    assert doc.data == {"a": 0o755} and not isinstance(doc.positions, LazyPositions)


_TRICKY = "ab:# -'\"\n\t0157e.x_é?[]{},&*!|>~yYnNoO\x1f\x85\\\r"
_words = st.one_of(
    st.text(_TRICKY, max_size=8),
    st.sampled_from(["yes", "No", "on", "0755", "1_0", "1:3", "1e3", "null", "~", "true", ".5", "-0", "+1"]),
)
_scalars = st.one_of(_words, st.integers(-(10**20), 10**20), st.booleans(), st.none())
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_words, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(
    data=st.dictionaries(_words, _data, max_size=5),
    flow=st.sampled_from([False, True, None]),
    style=st.sampled_from([None, "'", '"', "|", ">"]),
    mutation=st.one_of(st.none(), st.tuples(st.integers(0, 400), st.sampled_from([*_TRICKY, ""]))),
)
def test_generated_yaml_agrees(
    data: dict[str, Any], flow: bool | None, style: str | None, mutation: tuple[int, str] | None
) -> None:
    text = yaml.safe_dump(
        data, default_flow_style=flow, default_style=style, allow_unicode=True, sort_keys=False
    )
    if mutation is not None and text:
        at, char = mutation
        at %= len(text)
        text = text[:at] + char + text[at + 1 :]  # a typo: many of these are broken YAML
    assert agrees(text), text


def test_linting_a_clean_catalog_parses_no_file_twice() -> None:
    # Positions are found again (yamlpos) only to point at a problem: a rule that asks for a location
    # it does not report would parse every file twice and lose the speed-up.
    from kgov.catalog import load
    from kgov.policy import lint

    load._parse.cache_clear()
    loaded = load.load_catalog(REPO / "catalog")
    assert lint(loaded) == []
    files = [*loaded.catalog.topic_files, *loaded.catalog.access_files]
    lazy = [f.src.doc.positions for f in files if isinstance(f.src.doc.positions, LazyPositions)]
    assert len(lazy) >= 10  # the example's files are read fast
    assert all(p._found is None for p in lazy), "a file was parsed again for positions nobody reported"
    load._parse.cache_clear()


@pytest.mark.parametrize(
    "text",
    [
        "- " * 20_000 + "x\n",  # yaml-rs overflows the C stack here: the process dies
        "a:\n" + "".join(" " * i + "- \n" for i in range(1, 300)),
        "a: " + "[" * 100_000 + "\n",
    ],
    ids=["compact", "indented", "flow"],
)
def test_deep_nesting_never_reaches_yaml_rs_unbounded(text: str) -> None:
    # In a child process: a regression would kill the interpreter, not fail an assertion.
    import subprocess
    import sys

    code = (
        "import sys\nfrom kgov.catalog.fastyaml import fast_values\nfrom kgov.catalog.yamlpos import "
        "YamlProblem, parse\nt = sys.stdin.read()\nassert fast_values(t) == (False, None)\ntry:\n    "
        "parse(t)\nexcept YamlProblem as p:\n    print(p.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert "nests more than 64 levels" in done.stdout or "invalid YAML" in done.stdout


# What kgov/catalog/fastyaml.py's one RE2 pass replaced: the same questions in Python's re, one pass
# each. The RE2 pass must flag exactly the texts these flag.
_PY_REFERENCE = (
    re.compile(
        "[^\\n\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd\\U00010000-\\U0010ffff]"
    ),
    re.compile(r"[\s\[{,:](?:[&*!:?@`]|[|>](?![-+]?[0-9]?[-+]? *(?:#|\n|$))|[+-]?0[0-9_oOxXbB]|[+-]?_)"),
    re.compile(r"(?:- +){16}"),
    re.compile(r"<<|\n---|\n\.\.\.|\n%|\? |\?\n|\n {200}"),
)


def _python_unsure(text: str) -> bool:
    return any(pattern.search(text) for pattern in _PY_REFERENCE)


def test_the_re2_pass_flags_exactly_what_pythons_patterns_flag() -> None:
    alphabet = list(" \n\t\r-:[]{},&*!?@`|>+_0123oxXbB#a.%<")
    alphabet += ["\x00", "\x1f", "\x7f", "\x85", "\xa0", "\u2003", "\u2028", "\ufeff", "\uffff", "\U00010000"]
    rnd = random.Random(7)
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14))) for _ in range(60_000)]
    texts += [f"x: {'- ' * k}a" for k in range(30)] + [f"a:\n{' ' * k}b" for k in range(190, 210)]
    # every code point at the edge of a class, alone and where a node starts
    bounds = [0x0A, 0x1C, 0x1F, 0x20, 0x7E, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2027, 0x202A, 0xD7FF]
    bounds += [0xE000, 0xFEFE, 0xFF00, 0xFFFD, 0x10000, 0x10FFFF]
    edges = {c + d for c in bounds for d in (-1, 0, 1)} | {rnd.randrange(0x110000) for _ in range(5_000)}
    points = sorted(e for e in edges if 0 <= e < 0x110000 and not 0xD800 <= e < 0xE000)
    texts += [t for c in points for t in (chr(c), f" {chr(c)}", f"{chr(c)}&")]
    texts.append("a: \ud800")  # a lone surrogate (never from a file, which is decoded strictly)
    differ = [t for t in texts if _unsure(t) != _python_unsure(t)]
    assert differ == []
    assert sum(map(_unsure, texts)) > len(texts) // 10  # the alphabet does reach the patterns


def _agreed_reference(node: Any, depth: int = 0) -> bool:
    """_agreed as first written: each value checked where it is, recursively (the reference)."""
    from kgov.catalog.fastyaml import _MAX_INT, _RESOLVABLE, _RESOLVER, _STR_TAG
    from kgov.catalog.yamlpos import MAX_DEPTH

    if isinstance(node, (dict, list)) and depth >= MAX_DEPTH:
        return False
    if type(node) is dict:
        return all(type(k) is str for k in node) and all(
            _agreed_reference(v, depth + 1) for v in node.values()
        )
    if type(node) is list:
        return all(_agreed_reference(v, depth + 1) for v in node)
    if type(node) is str:
        return not (
            node[:1] in _RESOLVABLE and _RESOLVER.resolve(yaml.ScalarNode, node, (True, False)) != _STR_TAG
        )
    if type(node) is int:
        return -_MAX_INT < node < _MAX_INT
    return type(node) is bool or node is None


_odd_scalars = st.one_of(_scalars, st.floats(allow_nan=False), st.just(b"x"), st.just(10**18))
_odd_keys = st.one_of(_words, st.integers(0, 3), st.booleans())
_nested = st.recursive(
    _odd_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_odd_keys, inner, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=1500, deadline=None)
@given(_nested)
def test_agreed_is_the_value_by_value_check(data: Any) -> None:
    from kgov.catalog.fastyaml import _agreed

    assert _agreed(data) == _agreed_reference(data)
    assert _agreed({"topics": [data]}) == _agreed_reference({"topics": [data]})


def _deep(levels: int, kinds: str) -> Any:
    node: Any = "x"
    for i in range(levels):
        node = {"k": node} if kinds[i % len(kinds)] == "d" else [node]
    return node


@pytest.mark.parametrize("levels", [62, 63, 64, 65, 66])
@pytest.mark.parametrize("kinds", ["d", "l", "dl", "ldd"])
def test_agreed_refuses_the_same_depths(levels: int, kinds: str) -> None:
    from kgov.catalog.fastyaml import _agreed

    data = _deep(levels, kinds)
    assert _agreed(data) == _agreed_reference(data)
