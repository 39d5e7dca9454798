"""A catalog file's real path is worked out as text in a load (issue 23: 12,000 Paths parsed twice
each): the same path, and the same inside-the-catalog answer, as the Paths gave, for random paths
and for real folders with symlinks in and out of the catalog."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from kgov.catalog.files import ReadBudget, Refused, _inside, _real_path, _within, read_file

PARTS = ("a", "ab", "a.b", "b", "é", "x y", "-", "cat")


def old_answer(path: Path, root: Path) -> tuple[Path, bool]:  # 8a90fed's, with Paths
    if not path.is_symlink() and path.name not in ("", ".", ".."):
        real = path.parent.resolve() / path.name
    else:
        real = path.resolve(strict=True)
    return real, _inside(real, root.resolve())


@pytest.mark.parametrize("seed", range(200))
def test_the_text_is_inside_as_the_path_is(seed: int) -> None:
    rng = random.Random(seed)
    folder = "/" + "/".join(rng.choice(PARTS) for _ in range(rng.randrange(0, 4)))
    root = "/" + "/".join(rng.choice(PARTS) for _ in range(rng.randrange(0, 3)))
    name = rng.choice(PARTS)
    real = f"{folder}{name}" if folder.endswith("/") else f"{folder}/{name}"
    assert real == str(Path(folder) / name)
    budget = ReadBudget()
    budget._texts[root] = str(Path(root))  # as if resolved: these paths do not exist
    assert _within(real, Path(root), budget) == _inside(Path(real), Path(root))


def make(tmp_path: Path) -> tuple[Path, list[Path]]:
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    (root / "topics" / "a.yaml").write_text("x")
    (root / "shared").mkdir()
    (root / "shared" / "b.yaml").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "c.yaml").write_text("x")
    (root / "inner").symlink_to(root / "shared")  # a folder linked inside the catalog
    (root / "outer").symlink_to(outside)  # and one out of it
    (root / "topics" / "link.yaml").symlink_to(root / "shared" / "b.yaml")
    (root / "topics" / "out.yaml").symlink_to(outside / "c.yaml")
    files = [
        root / "topics" / "a.yaml",
        root / "inner" / "b.yaml",
        root / "outer" / "c.yaml",
        root / "topics" / "link.yaml",
        root / "topics" / "out.yaml",
        root / "kgov.yaml",  # missing
    ]
    return root, files


@pytest.mark.parametrize("through", ["direct", "linked root", "relative"])
def test_real_folders_are_read_or_refused_as_before(
    tmp_path: Path, through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, files = make(tmp_path)
    if through == "linked root":
        (tmp_path / "alias").symlink_to(root)
        files = [tmp_path / "alias" / f.relative_to(root) for f in files]
        root = tmp_path / "alias"
    elif through == "relative":
        monkeypatch.chdir(tmp_path)
        files = [f.relative_to(tmp_path) for f in files]
        root = Path("catalog")
    for path in files:
        budget = ReadBudget()
        if not os.path.lexists(path):
            with pytest.raises(Refused):
                read_file(path, root, budget=budget)
            continue
        real, inside = old_answer(path, root)
        assert str(_real_path(path, budget)) == str(real)
        assert _within(_real_path(path, budget), root, budget) == inside
        if inside:
            assert read_file(path, root, budget=budget) == "x"
        else:
            with pytest.raises(Refused):
                read_file(path, root, budget=budget)
