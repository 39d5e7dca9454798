"""In a load, a catalog file that is not a symlink is charged to the read budget with the size its
one lstat gave (issue 23: a second lstat a file was dropped): the same bytes as the lstat of its real
path, for plain files, a symlink to a file inside (the target's size), and empty files."""

from __future__ import annotations

import os
from pathlib import Path

from kgov.catalog.files import MAX_TOTAL_BYTES, ReadBudget, _located, read_file


def test_the_budget_is_charged_each_real_files_size(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    topics = root / "topics"
    topics.mkdir(parents=True)
    (topics / "a.yaml").write_text("service: a\n" * 7, "utf-8")
    (topics / "empty.yaml").write_text("", "utf-8")
    (root / "target.yaml").write_text("service: t\n" * 3, "utf-8")
    os.symlink(root / "target.yaml", topics / "link.yaml")  # the link's own size is not the target's
    budget = ReadBudget()
    files = sorted(topics.iterdir())
    texts = [read_file(path, root, budget=budget) for path in files]
    assert texts == [p.read_text("utf-8") for p in files]
    real_sizes = [os.lstat(p.resolve()).st_size for p in files]
    assert budget.bytes == MAX_TOTAL_BYTES - sum(real_sizes)
    for path, size in zip(files, real_sizes, strict=True):
        real, known = _located(path, budget)
        assert str(real) == str(path.resolve())
        assert known == (None if path.is_symlink() else size)
    assert _located(files[0], None) == (files[0].resolve(), None)  # outside a load: Paths, as before
