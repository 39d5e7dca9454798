"""The base catalog reads from git only the files that differ, and equals a full load of the ref."""

from __future__ import annotations

from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.gitref import catalog_at
from kgov.kinds.topics.desired import desired_topics
from kgov.review.base import base_catalog
from kgov.review.compare import as_json, changed_names
from tests.gitrepo import commit, init
from tests.support import topic_doc, write_catalog


def _topics(cat: Catalog) -> dict[str, object]:
    return {n: as_json(t) for n, t in desired_topics(cat, environment(cat, "local")).items()}


def test_only_changed_files_are_read_and_the_result_equals_a_full_load(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    services = {f"s{i}": [topic_doc(f"s{i}.a"), topic_doc(f"s{i}.b", 2)] for i in range(5)}
    cat = write_catalog(repo / "catalog", services)
    commit(repo, "base")
    services["s2"] = [topic_doc("s2.a", 3)]  # s2.b removed, s2.a resized
    services["s9"] = [topic_doc("s9.new")]  # a new file
    write_catalog(cat, services)
    head = load_catalog(cat).catalog
    with base_catalog(head, cat, "HEAD") as base, catalog_at("HEAD", cat) as full:
        assert base.read == 2  # kgov.yaml and topics/s2.yaml; s9.yaml is not at the base
        assert not base.errors
        assert _topics(base.catalog) == _topics(load_catalog(full.root).catalog)
        assert changed_names(head, base.catalog, "local")["topic"] == ("s2.a", "s2.b", "s9.new")
