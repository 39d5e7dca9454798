"""Issue 18, probe holes 7 and 19: every kgov YAML reader agrees with PyYAML on merge keys (only a plain
or !!merge-tagged `<<` merges; a quoted '<<' is an ordinary key), and a character YAML refuses is
reported at its own line and column."""

from __future__ import annotations

import pytest
import yaml

from kgov.catalog.fastyaml import read
from kgov.catalog.yamlpos import YamlProblem, parse

MERGES = [
    "a: 1\n'<<': {b: 2}\n",
    'a: 1\n"<<": {b: 2}\n',
    "a: 1\n<<: {b: 2}\n",
    "a: 1\n!!merge '<<': {b: 2}\n",
    "a: 1\n!!str <<: {b: 2}\n",
    "a: 1\n! <<: {b: 2}\n",
    "x: &x {b: 2}\ny: {<<: *x}\nz: {'<<': *x}\n",
    "a: 1\n? <<\n: {b: 2}\n",
    "x: &x {b: 2}\ny: {'<<': [*x]}\n",
]


@pytest.mark.parametrize("text", MERGES)
def test_merge_keys_are_read_as_pyyaml_reads_them(text: str) -> None:
    expected = yaml.safe_load(text)
    assert parse(text).data == expected
    assert read(text).data == expected


def test_a_quoted_merge_key_stays_a_key() -> None:
    assert parse("a: 1\n'<<': {b: 2}\n").data == {"a": 1, "<<": {"b": 2}}


@pytest.mark.parametrize(
    ("text", "where", "code"),
    [
        ("a: 1\nbb: x\x07y\n", (2, 6), "U+0007"),
        ("a: 1\nbé: \x01\n", (2, 5), "U+0001"),
        ("a: 1\nb:\n  - \x1b[31m\n", (3, 5), "U+001B"),
        ('a: "x\x00"\n', (1, 6), "U+0000"),
        ("a: \ufffe\n", (1, 4), "U+FFFE"),
    ],
)
def test_a_refused_character_is_reported_at_its_line_and_column(
    text: str, where: tuple[int, int], code: str
) -> None:
    with pytest.raises(YamlProblem) as info:
        parse(text)
    assert (info.value.line, info.value.col) == where
    assert code in info.value.message and "position" not in info.value.message
    assert info.value.hint
