"""`same_in_working_tree` joins git's paths to the catalog folder as text for the usual path
(kgov/gitref.py `_joined`); whatever git lists, the file it opens is the one pathlib's join names."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgov import gitref
from kgov.gitref import TreeFile
from kgov.readfile import Unreadable, read_regular


def _old(catalog_dir: Path, rel: str) -> str:
    return str(catalog_dir.joinpath(*PurePosixPath(rel).parts))


@settings(max_examples=2000, deadline=None)
@given(
    folder=st.sampled_from(["/", ".", "catalog", "/tmp/x", "//srv/c", "a/..", "/a/b/.", "a b/ü"]),
    rel=st.text(alphabet="/.a-b\\ü\n", max_size=12),
)
def test_the_joined_path_is_pathlibs(folder: str, rel: str) -> None:
    catalog_dir = Path(folder)
    got = gitref._joined(catalog_dir, str(catalog_dir), rel)
    if isinstance(got, str):  # the text shortcut: exactly pathlib's text
        assert got == _old(catalog_dir, rel)
    else:
        assert str(got) == _old(catalog_dir, rel)


def _old_same(catalog_dir: Path, files: list[TreeFile]) -> set[str]:
    """same_in_working_tree as it was before the text join."""
    same = set()
    for f in files:
        path = catalog_dir.joinpath(*PurePosixPath(f.path).parts)
        try:
            content = read_regular(path, f.size, follow_symlinks=False)
        except Unreadable:
            continue
        if len(content) == f.size and gitref.blob_id(content, len(f.sha)) == f.sha:
            same.add(f.path)
    return same


@pytest.mark.parametrize(
    "rel",
    [
        "topics/a.yaml",
        "topics/./a.yaml",
        "./topics/a.yaml",
        "topics//a.yaml",
        "topics/a.yaml/",
        "topics/a.yaml/.",
        "topics/../topics/a.yaml",
        "topics/b.yaml",
        "topics",
    ],
)
def test_same_in_working_tree_judges_odd_paths_as_before(tmp_path: Path, rel: str) -> None:
    (tmp_path / "topics").mkdir()
    content = b"service: a\ntopics: []\n"
    (tmp_path / "topics" / "a.yaml").write_bytes(content)
    blob = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
    files = [TreeFile(rel, blob, len(content))]
    assert gitref.same_in_working_tree(tmp_path, files) == _old_same(tmp_path, files)
    assert gitref.same_in_working_tree(tmp_path, files) == (
        {rel} if "b.yaml" not in rel and rel != "topics" else set()
    )


def test_a_symlink_is_never_the_same(tmp_path: Path) -> None:
    (tmp_path / "topics").mkdir()
    content = b"x: 1\n"
    (tmp_path / "real.yaml").write_bytes(content)
    (tmp_path / "topics" / "a.yaml").symlink_to(tmp_path / "real.yaml")
    blob = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
    assert gitref.same_in_working_tree(tmp_path, [TreeFile("topics/a.yaml", blob, len(content))]) == set()


def _old_wanted(rel: str) -> bool:
    """gitref._wanted as it was before the text split."""
    parts = PurePosixPath(rel).parts
    if any(p in ("", ".", "..", ".git") or "\\" in p for p in parts):
        return False
    return parts == ("kgov.yaml",) or (
        len(parts) == 2 and parts[0] in ("topics", "acls", "schemas", "cluster")
    )


@settings(max_examples=3000, deadline=None)
@given(
    rel=st.lists(
        st.sampled_from(["topics", "acls", "kgov.yaml", "a.yaml", ".", "..", "", ".git", "a\\b", "/"]),
        max_size=4,
    ).map("/".join)
)
def test_the_files_kept_from_git_are_the_same(rel: str) -> None:
    assert gitref._wanted(rel) == _old_wanted(rel)


@pytest.mark.parametrize(
    "rel", ["topics/a.yaml", "topics//a.yaml", "./kgov.yaml", "kgov.yaml/", "topics/./a.yaml", "/kgov.yaml"]
)
def test_odd_listed_paths_are_kept_or_left_as_before(rel: str) -> None:
    assert gitref._wanted(rel) == _old_wanted(rel)
