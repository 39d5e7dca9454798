"""Reading the catalog at a git ref: through git only, regular files only, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kgov.catalog.load import load_catalog
from kgov.gitref import GitError, catalog_at
from tests.gitrepo import commit, git, init
from tests.support import topic_doc, write_catalog


def _repo(tmp_path: Path) -> tuple[Path, Path, str]:
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.created", 3)]})
    first = commit(repo, "first")
    write_catalog(cat, {"orders": [topic_doc("orders.created", 6), topic_doc("orders.paid")]})
    commit(repo, "second")
    return repo, cat, first


def test_reads_the_catalog_at_a_ref_without_touching_the_working_tree(tmp_path: Path) -> None:
    repo, cat, _ = _repo(tmp_path)
    (cat / "topics" / "orders.yaml").write_text("not: [valid")  # uncommitted edit stays as it is
    with catalog_at("HEAD~1", cat) as base:
        loaded = load_catalog(base.root)
        assert [t.name for t in loaded.catalog.topics()] == ["orders.created"]
        assert next(loaded.catalog.topics()).partitions == 3
        assert not [d for d in loaded.diagnostics if d.is_error]
    assert not base.root.exists()  # the private copy is gone
    assert (cat / "topics" / "orders.yaml").read_text() == "not: [valid"
    assert git(repo, "status", "--porcelain") == "M catalog/topics/orders.yaml"  # only our edit


def test_a_commit_sha_and_a_branch_work(tmp_path: Path) -> None:
    _, cat, first = _repo(tmp_path)
    with catalog_at(first, cat) as base:
        assert len(list(load_catalog(base.root).catalog.topics())) == 1
    with catalog_at("main", cat) as base:
        assert len(list(load_catalog(base.root).catalog.topics())) == 2


def test_a_symlink_in_the_catalog_is_refused(tmp_path: Path) -> None:
    repo, cat, _ = _repo(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: x\n")
    os.symlink(secret, cat / "topics" / "leak.yaml")
    commit(repo, "link")
    with pytest.raises(GitError) as info, catalog_at("HEAD", cat):
        pass
    assert "catalog/topics/leak.yaml is a symbolic link" in info.value.message


def test_an_unknown_ref_says_how_to_fetch_it(tmp_path: Path) -> None:
    _, cat, _ = _repo(tmp_path)
    with pytest.raises(GitError) as info, catalog_at("feature-x", cat):
        pass
    assert "unknown git ref 'feature-x'" in info.value.message
    assert info.value.hint == "fetch it first: git fetch origin feature-x"


def test_not_a_git_repository(tmp_path: Path) -> None:
    cat = write_catalog(tmp_path / "plain", {"orders": [topic_doc("orders.created")]})
    with pytest.raises(GitError) as info, catalog_at("main", cat):
        pass
    assert "is not in a git repository" in info.value.message


def test_no_catalog_at_the_ref(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    (repo / "README").write_text("x")
    commit(repo, "empty")
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.created")]})
    commit(repo, "catalog")
    with pytest.raises(GitError) as info, catalog_at("HEAD~1", cat):
        pass
    assert "catalog/kgov.yaml does not exist in" in info.value.message


def test_shallow_clone_missing_the_base_names_the_depth_to_fetch(tmp_path: Path) -> None:
    repo, _, _ = _repo(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    with pytest.raises(GitError) as info, catalog_at("HEAD~1", clone / "catalog"):
        pass
    head = git(clone, "rev-parse", "HEAD")
    assert info.value.message == (
        "git ref 'HEAD~1' is not in this clone: this clone is shallow (depth 1); "
        f"fetch the base: git fetch --depth=2 origin {head}"
    )
    with pytest.raises(GitError) as info, catalog_at("origin/release", clone / "catalog"):
        pass
    assert info.value.message.endswith("fetch the base: git fetch --depth=1 origin release")
    # and the advice works: after that fetch, the base reads
    git(clone, "fetch", "-q", "--depth=2", "origin", head)
    with catalog_at("HEAD~1", clone / "catalog") as base:
        assert [t.name for t in load_catalog(base.root).catalog.topics()] == ["orders.created"]
