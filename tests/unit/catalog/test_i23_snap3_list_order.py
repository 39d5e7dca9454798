"""A resource folder's files are listed in the order sorting their Paths gave (issue 23: sorted by
name, in C, for 10,000 schema files): random names of every kind of character, and a real folder."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kgov.catalog.files import list_files

ALPHABET = ("a", "B", "z", "Z", "0", "9", ".", "-", "_", " ", "é", "É", "ß", "日", "\U0001f600", "~", "!")


@pytest.mark.parametrize("seed", range(200))
def test_name_order_is_path_order(seed: int) -> None:
    rng = random.Random(seed)
    folder = Path(rng.choice(("/tmp/c/schemas", "cat/topics", "x")))
    names = {"".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 8))) for _ in range(60)}
    paths = [folder / n for n in names if n not in (".", "..")]
    rng.shuffle(paths)
    assert sorted(paths, key=lambda p: p.name) == sorted(paths)


def test_a_folder_is_listed_in_path_order(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    names = ["b.avsc", "B.avsc", "a-b.avsc", "a.b.avsc", "é.avsc", "Z.json", "a_b.json", "10.avsc", "9.avsc"]
    for n in names:
        (folder / n).write_text("{}")
    found = list_files(folder, tmp_path, (".avsc", ".json"), [])
    assert found == sorted(folder / n for n in names)
