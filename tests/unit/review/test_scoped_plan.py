"""`kgov plan --base REF`: only the resources that differ from the ref, read with a fixed number of
requests whatever the catalog's size; the saved plan carries its scope and apply re-plans it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.errors import CatalogError, ClusterError, PlanError
from kgov.kinds.base import Backends
from kgov.plan import planfile
from kgov.state import TopicListing
from tests.gitrepo import commit, init
from tests.support import topic_doc, write_catalog


class CountingCluster(MemoryCluster):
    """Also records which topics each DescribeConfigs asked for."""

    def __init__(self) -> None:
        super().__init__(brokers=1)
        self.described: list[str] = []
        self.metadata_of: list[list[str]] = []  # the names of each metadata request by name

    def topic_configs(self, names: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
        self.described.extend(names)
        return super().topic_configs(names)

    def describe_topics(self, names: Sequence[str]) -> TopicListing:
        self.metadata_of.append(sorted(names))
        return super().describe_topics(names)


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGOV_BOOTSTRAP_SASL", "127.0.0.1:1")
    monkeypatch.setenv("KGOV_USERNAME", "admin")
    monkeypatch.setenv("KGOV_PASSWORD", "x")


def _services(count: int) -> dict[str, list[dict[str, Any]]]:
    return {f"s{i:03d}": [topic_doc(f"s{i:03d}.a", 2), topic_doc(f"s{i:03d}.b", 2)] for i in range(count)}


def _setup(tmp_path: Path, count: int) -> tuple[Path, CountingCluster, dict[str, list[dict[str, Any]]]]:
    repo = init(tmp_path / "repo")
    services = _services(count)
    cat = write_catalog(repo / "catalog", services)
    commit(repo, "base")
    cluster = CountingCluster()
    for topics in services.values():
        for t in topics:
            cluster.add_topic(t["name"], t["partitions"], 1)
    return cat, cluster, services


def _change(cat: Path, services: dict[str, list[dict[str, Any]]]) -> None:
    services["s001"] = [topic_doc("s001.a", 4)]  # s001.a grows, s001.b leaves the catalog
    services["s002"] = [*services["s002"], topic_doc("s002.new")]
    write_catalog(cat, services)


def _scoped(tmp_path: Path, count: int) -> tuple[CountingCluster, dict[str, Any]]:
    cat, cluster, services = _setup(tmp_path / str(count), count)
    _change(cat, services)
    out = tmp_path / f"plan-{count}.json"
    assert (
        run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD", out=out, allow_delete=True) == 0
    )
    doc: dict[str, Any] = json.loads(out.read_text())
    return cluster, doc


def test_reads_only_the_changed_topics_with_the_same_requests_whatever_the_size(tmp_path: Path) -> None:
    small, _ = _scoped(tmp_path, 5)
    cluster, doc = _scoped(tmp_path, 300)
    # the same requests for 10 and 600 topics (kinds that cannot narrow, the users, read in full,
    # in a fixed number of requests; no ACL binding changed: none read); topic configs of the
    # changed topics only
    assert cluster.requests == small.requests
    assert "describe_acls" not in cluster.requests
    assert cluster.requests.count("describe_configs") == 1
    assert sorted(cluster.described) == ["s001.a", "s001.b"]  # s002.new does not exist yet
    # the topic kind asks for the metadata of the scoped topics by name, not for the whole listing
    assert cluster.metadata_of == [["s001.a", "s001.b", "s002.new"]]
    assert doc["scoped"]["base"] == "HEAD"
    # the replica kind narrows to the topics whose factor differs: the removed and the new one
    assert doc["scoped"]["names"] == {
        "acl": [],
        "replicas": ["s001.b", "s002.new"],
        "subject": [],
        "topic": ["s001.a", "s001.b", "s002.new"],
    }
    assert doc["scope"]["topic"]["names"] == ["s001.a", "s001.b", "s002.new"]
    assert doc["scope"]["topic"]["prefixes"] == []
    actions = {e["address"]: e["action"] for e in doc["resource_changes"]}
    assert actions == {"topic.s001.a": "update", "topic.s001.b": "delete", "topic.s002.new": "create"}
    assert doc["summary"]["topic"]["managed"] == 2  # of the scoped names, the ones the catalog declares


def test_apply_of_a_scoped_plan_replans_the_same_names_only(tmp_path: Path) -> None:
    cat, cluster, services = _setup(tmp_path, 5)
    _change(cat, services)
    out = tmp_path / "plan.json"
    run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD", out=out)
    cluster.topics["s004.a"].partitions = 9  # drift outside the scope: not this plan's business
    cluster.requests.clear()
    cluster.described.clear()
    assert run_apply(cat, "local", plan_file=out, backends=Backends(kafka=cluster)) == 0
    # the re-plan describes the scope's topics; the wait sees the creation in the listing alone
    assert sorted(set(cluster.described)) == ["s001.a", "s001.b"]
    assert cluster.topics["s001.a"].partitions == 4 and "s002.new" in cluster.topics
    assert "s001.b" in cluster.topics  # no --allow-delete: kept


def test_a_scoped_plan_is_stale_when_its_resources_change(tmp_path: Path) -> None:
    cat, cluster, services = _setup(tmp_path, 5)
    _change(cat, services)
    out = tmp_path / "plan.json"
    run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD", out=out)
    cluster.topics["s001.a"].partitions = 3
    with pytest.raises(PlanError) as info:
        run_apply(cat, "local", plan_file=out, backends=Backends(kafka=cluster))
    assert "): the cluster changed (differs at: topic.s001.a)" in info.value.message


def test_editing_the_scope_of_a_saved_plan_is_refused(tmp_path: Path) -> None:
    cat, cluster, services = _setup(tmp_path, 5)
    _change(cat, services)
    out = tmp_path / "plan.json"
    run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD", out=out)
    doc = json.loads(out.read_text())
    doc["scoped"]["names"]["topic"] = ["s001.a"]
    out.write_text(json.dumps(doc))
    with pytest.raises(PlanError) as info:
        run_apply(cat, "local", plan_file=out, backends=Backends(kafka=cluster))
    assert "was edited after kgov made it" in info.value.message


def test_a_full_plan_has_no_scope_and_the_whole_catalog_is_still_linted(tmp_path: Path) -> None:
    cat, cluster, services = _setup(tmp_path, 5)
    out = tmp_path / "plan.json"
    run_plan(cat, "local", backends=Backends(kafka=cluster), out=out)
    assert planfile.load(out).scoped is None and json.loads(out.read_text())["scoped"] is None
    services["s003"][0]["partitions"] = 0  # invalid, and committed: the change does not touch it
    write_catalog(cat, services)
    commit(cat.parent, "broken")
    _change(cat, services)
    with pytest.raises(CatalogError):
        run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD")
    assert cluster.requests.count("describe_configs") == 1  # only the full plan above read


def test_no_change_reads_no_topic_by_name(tmp_path: Path) -> None:
    cat, cluster, _ = _setup(tmp_path, 5)
    assert run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD", detailed_exitcode=True) == 0
    assert cluster.described == [] and cluster.metadata_of == []


def test_a_delete_is_watched_by_listing_never_by_describing_it() -> None:
    from kgov.kinds.topics import TopicKind
    from kgov.plan.model import Entry

    entries = [Entry("topic.s.a", "topic", "s.a", "update"), Entry("topic.s.b", "topic", "s.b", "delete")]
    scoped = {"names": ["s.a", "s.b"], "prefixes": [], "protected": ["_*"]}
    assert TopicKind().watch_scope(scoped, entries) == {
        "names": ["s.a"],
        "prefixes": ["s.b"],
        "protected": ["_*"],
        "watch": True,
    }
    only_update = TopicKind().watch_scope(scoped, entries[:1])
    assert only_update == {"names": ["s.a"], "prefixes": [], "protected": ["_*"], "watch": True}


def test_a_scoped_topic_kgov_may_not_see_stops_the_plan(tmp_path: Path) -> None:
    # Read by name, a topic kgov may not DESCRIBE is as missing as in a listing: it must not be created.
    cat, cluster, services = _setup(tmp_path, 5)
    cluster.rights["hidden"].add("s002.new")
    _change(cat, services)
    with pytest.raises(ClusterError) as stopped:
        run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD")
    assert "may not DESCRIBE topic s002.new" in stopped.value.message
    assert cluster.metadata_of == [["s001.a", "s001.b", "s002.new"]]
