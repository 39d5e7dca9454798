"""A scoped plan (`kgov plan --base`) reads only the changed ACL bindings (kgov/kinds/acl/observe.py):
its entries are exactly those the ACL kind planned in full (today's path before it narrowed) gives
for the changed names, on the edge cases: prefixed and wildcard bindings, unmanaged principals
(wildcard ones too), a principal whose name starts another's, an acls file that adds and removes
bindings, a renamed topic, a topic moved between files, a principal removed from the catalog, and
more changed principals than one request each (one full read). The ACL requests do not grow with
the catalog."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

import kgov.engine.make
from kgov.bindings import Binding
from kgov.catalog.grants import desired_bindings
from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply
from kgov.commands.plan import run_plan
from kgov.commands.snapshot import run_snapshot
from kgov.kinds.acl.observe import PRINCIPALS_MAX
from kgov.kinds.base import Backends
from kgov.plan.model import JSON
from tests.gitrepo import commit, init
from tests.support import SETTINGS, topic_doc, write_catalog

Topics = dict[str, list[dict[str, Any]]]
Access = dict[str, dict[str, Any]]


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGOV_BOOTSTRAP_SASL", "127.0.0.1:1")
    monkeypatch.setenv("KGOV_USERNAME", "admin")
    monkeypatch.setenv("KGOV_PASSWORD", "x")


def _topics(count: int) -> Topics:
    return {f"s{i:03d}": [topic_doc(f"s{i:03d}.a"), topic_doc(f"s{i:03d}.b")] for i in range(count)}


def _access(count: int) -> Access:
    """Service i produces its topics, consumes service i+1's, and has a prefixed grant."""
    out: Access = {}
    for i in range(count):
        s, nxt = f"s{i:03d}", f"s{(i + 1) % count:03d}"
        out[s] = {
            "service": s,
            "owner": "team-test",
            "principal": f"User:{s}",
            "produces": [f"{s}.a", f"{s}.b"],
            "consumes": [f"{nxt}.a"],
            "consumer_groups": [s],
            "acls": [
                {"resource": "topic", "name": f"{s}.", "pattern": "prefixed", "operations": ["describe"]}
            ],
        }
    return out


_catalog = write_catalog


def _write(cat: Path, topics: Topics, access: Access) -> None:
    _catalog(cat, topics)
    (cat / "acls").mkdir(exist_ok=True)
    for old in (cat / "acls").glob("*.yaml"):
        old.unlink()
    for name, doc in access.items():
        (cat / "acls" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


class Cluster(MemoryCluster):
    def __init__(self) -> None:
        super().__init__(brokers=1)


def _setup(tmp_path: Path, topics: Topics, access: Access) -> tuple[Path, Cluster]:
    """The base committed and applied to the twin (its topics and bindings), then drift that a
    scoped plan does not look at and bindings of principals the catalog does not manage."""
    repo = init(tmp_path / "repo")
    cat = repo / "catalog"
    _write(cat, topics, access)
    commit(repo, "base")
    cluster = Cluster()
    for docs in topics.values():
        for t in docs:
            cluster.add_topic(t["name"], t["partitions"], 1)
    for grants in desired_bindings(load_catalog(cat).catalog, "local").values():
        cluster.acls.update(grants)
    first = sorted(access)[0]
    cluster.acls.update(
        {
            Binding("User:*", "topic", "literal", "*", "READ"),  # a wildcard principal, unmanaged
            Binding("User:other", "topic", "prefixed", "s0", "WRITE"),  # unmanaged, on catalog topics
            Binding(f"User:{first}", "group", "literal", "drift", "READ"),  # drift of a managed principal
        }
    )
    return cat, cluster


def _plan(cat: Path, cluster: MemoryCluster, tmp_path: Path, name: str, **kw: Any) -> tuple[int, JSON]:
    out = tmp_path / f"{name}.json"
    code = run_plan(cat, "local", backends=Backends(kafka=cluster), out=out, allow_delete=True, **kw)
    doc: dict[str, Any] = json.loads(out.read_text())
    return code, doc


def _entries(doc: Any, names: Sequence[str] | None = None) -> list[Any]:
    """The plan's entries (of the ACL kind: only those of `names` when given), scope-free."""
    keep = None if names is None else {f"acl.{n}" if not n.startswith("acl.") else n for n in names}
    return [
        {k: v for k, v in e.items() if k not in ("fingerprint",)}
        for e in doc["resource_changes"]
        if keep is None or e["kind"] != "acl" or e["address"] in keep
    ]


def _unnarrowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today's path: the ACL kind planned in full inside a scoped plan."""
    original: Callable[..., Any] = kgov.engine.make.narrowed
    monkeypatch.setattr(
        kgov.engine.make,
        "narrowed",
        lambda kind, scope, names: None if kind.name == "acl" else original(kind, scope, names),
    )


def _compare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Topics, Access], None], count: int = 6
) -> tuple[JSON, Cluster]:
    topics, access = _topics(count), _access(count)
    cat, cluster = _setup(tmp_path, topics, access)
    change(topics, access)
    _write(cat, topics, access)
    full_code, full = _plan(cat, cluster, tmp_path, "full")
    cluster.requests.clear()
    code, scoped = _plan(cat, cluster, tmp_path, "scoped", base="HEAD")
    acl_requests = cluster.requests.count("describe_acls")
    with monkeypatch.context() as m:
        _unnarrowed(m)
        old_code, old = _plan(cat, cluster, tmp_path, "old", base="HEAD")
    names = scoped["scoped"]["names"]["acl"]
    assert old["scoped"]["names"] == scoped["scoped"]["names"]
    # the narrowed plan's entries: today's scoped plan's, less the ACL drift outside the names ...
    assert _entries(scoped) == _entries(old, names)
    # ... which are the full plan's for those names
    assert [e for e in _entries(scoped) if e["kind"] == "acl"] == [
        e for e in _entries(full, names) if e["kind"] == "acl"
    ]
    # the drift of a managed principal is planned in full, not in the scoped plan
    drift = [
        e["address"] for e in _entries(full) if e["kind"] == "acl" and ".group.literal.drift." in e["address"]
    ]
    assert drift and not any(".drift." in e["address"] for e in _entries(scoped))
    assert code == old_code  # (full_code may differ: the drift)
    assert full_code in (0, 2)
    assert acl_requests <= PRINCIPALS_MAX
    return scoped, cluster


def test_an_acls_file_that_adds_and_removes_bindings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(topics: Topics, access: Access) -> None:
        access["s002"]["produces"] = ["s002.a"]  # s002.b no longer produced: revoked
        access["s002"]["consumes"] = ["s003.a", "s004.b"]  # one added
        access["s002"]["acls"] = [  # the prefixed grant changes its prefix, and a literal one is added
            {"resource": "topic", "name": "s002.a", "pattern": "prefixed", "operations": ["describe"]},
            {"resource": "topic", "name": "s001.a", "pattern": "literal", "operations": ["describe_configs"]},
        ]

    scoped, _ = _compare(tmp_path, monkeypatch, change)
    actions = {e["action"] for e in scoped["resource_changes"] if e["kind"] == "acl"}
    assert actions == {"create", "delete"}
    assert all(n.startswith("acl.User:s002.") for n in scoped["scoped"]["names"]["acl"])


def test_wildcard_and_prefixed_grants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(topics: Topics, access: Access) -> None:
        access["s001"]["acls"] = [
            {"resource": "topic", "name": "*", "pattern": "literal", "operations": ["describe"]},
            {"resource": "group", "name": "s001-", "pattern": "prefixed", "operations": ["read"]},
        ]

    scoped, _ = _compare(tmp_path, monkeypatch, change)
    labels = {e["label"] for e in scoped["resource_changes"] if e["action"] == "create"}
    assert "allow User:s001 DESCRIBE topic *" in labels


def test_a_renamed_topic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(topics: Topics, access: Access) -> None:
        topics["s003"][1] = topic_doc("s003.renamed")
        access["s003"]["produces"] = ["s003.a", "s003.renamed"]

    scoped, _ = _compare(tmp_path, monkeypatch, change)
    assert any(e["address"] == "topic.s003.renamed" for e in scoped["resource_changes"])
    assert {e["action"] for e in scoped["resource_changes"] if e["kind"] == "acl"} == {"create", "delete"}


def test_a_topic_moved_between_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(topics: Topics, access: Access) -> None:
        topics["s004"].append(topics["s003"].pop())  # s003.b now in s004's file, produced by s004
        access["s003"]["produces"] = ["s003.a"]
        access["s004"]["produces"] = ["s004.a", "s004.b", "s003.b"]

    def anywhere(root: Path, by_file: Topics, **settings: Any) -> Path:  # a topic in any file
        return write_catalog(root, by_file, policy={**SETTINGS["policy"], "service_owns_prefix": False})

    monkeypatch.setattr(f"{__name__}._catalog", anywhere)
    scoped, _ = _compare(tmp_path, monkeypatch, change)
    assert not any(e["kind"] == "topic" for e in scoped["resource_changes"])  # the same topic
    assert any("User:s004 WRITE topic s003.b" in e["label"] for e in scoped["resource_changes"])


def test_a_principal_removed_from_the_catalog_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def change(topics: Topics, access: Access) -> None:
        del access["s005"]
        access["s004"]["consumes"] = ["s000.a"]  # s005.a is nobody's to consume now

    scoped, _ = _compare(tmp_path, monkeypatch, change)
    assert any(n.startswith("acl.User:s005.") for n in scoped["scoped"]["names"]["acl"])
    assert not any("User:s005" in e["address"] for e in scoped["resource_changes"])


def test_a_principal_whose_name_starts_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(topics: Topics, access: Access) -> None:
        doc = dict(
            access["s001"], service="s001x", principal="User:s001.x", consumer_groups=["s001x"], acls=[]
        )
        access["s001x"] = doc  # its addresses start with User:s001's: both principals are read
        access["s001"]["consumes"] = ["s002.a", "s003.a"]

    scoped, _ = _compare(tmp_path, monkeypatch, change)
    created = {e["group"] for e in scoped["resource_changes"] if e["action"] == "create"}
    assert created == {"User:s001", "User:s001.x"}


def test_more_changed_principals_than_requests_reads_everything_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = PRINCIPALS_MAX + 4

    def change(topics: Topics, access: Access) -> None:
        for doc in access.values():
            doc["consumer_groups"] = [*doc["consumer_groups"], f"{doc['service']}-new"]

    _, cluster = _compare(tmp_path, monkeypatch, change, count=count)
    cluster.requests.clear()
    _plan(next((tmp_path / "repo").glob("catalog")), cluster, tmp_path, "again", base="HEAD")
    assert cluster.requests.count("describe_acls") == 1


@pytest.mark.parametrize("count", [8, 40])
def test_acl_requests_do_not_grow_with_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    def change(topics: Topics, access: Access) -> None:
        access["s002"]["produces"] = ["s002.a"]
        access["s003"]["produces"] = ["s003.a"]
        topics["s001"][0] = topic_doc("s001.a", 3)

    _, cluster = _compare(tmp_path, monkeypatch, change, count=count)
    cluster.requests.clear()
    _plan(tmp_path / "repo" / "catalog", cluster, tmp_path, "again", base="HEAD")
    # User:s002's and User:s003's bindings, and every binding once for the revocations' evidence
    # (kgov/kinds/principal_evidence.py: is what they allow in use?)
    assert cluster.requests.count("describe_acls") == 3


def test_no_changed_binding_reads_no_binding(tmp_path: Path) -> None:
    topics, access = _topics(6), _access(6)
    cat, cluster = _setup(tmp_path, topics, access)
    topics["s001"][0] = topic_doc("s001.a", 3)
    _write(cat, topics, access)
    cluster.requests.clear()
    code, doc = _plan(cat, cluster, tmp_path, "scoped", base="HEAD", detailed_exitcode=True)
    assert code == 2 and doc["scoped"]["names"]["acl"] == []
    assert "describe_acls" not in cluster.requests
    assert doc["scope"]["acl"] == {"principals": [], "topics": [], "only": []}


def _moved_consumer(topics: Topics, access: Access) -> None:
    access["s002"]["produces"] = ["s002.a"]
    access["s002"]["consumes"] = ["s003.a", "s004.b"]


def test_apply_of_a_scoped_plan_with_acl_changes_converges(tmp_path: Path) -> None:
    topics, access = _topics(6), _access(6)
    cat, cluster = _setup(tmp_path, topics, access)
    _moved_consumer(topics, access)
    _write(cat, topics, access)
    out = tmp_path / "plan.json"
    assert run_plan(cat, "local", backends=Backends(kafka=cluster), base="HEAD", out=out) == 0
    assert run_apply(cat, "local", plan_file=out, backends=Backends(kafka=cluster)) == 0
    assert Binding("User:s002", "topic", "literal", "s004.b", "READ") in cluster.acls
    assert Binding("User:s002", "topic", "literal", "s002.b", "WRITE") not in cluster.acls
    code, doc = _plan(cat, cluster, tmp_path, "again", base="HEAD", detailed_exitcode=True)
    assert code == 0 and not [e for e in doc["resource_changes"] if e["kind"] == "acl"]
    drift = Binding("User:s000", "group", "literal", "drift", "READ")
    assert drift in cluster.acls  # outside the scope: not this plan's business


def test_a_scoped_plan_from_a_snapshot_narrows_alike(tmp_path: Path) -> None:
    topics, access = _topics(6), _access(6)
    cat, cluster = _setup(tmp_path, topics, access)
    snap = tmp_path / "snapshot.json"
    assert run_snapshot(cat, "local", snap, backends=Backends(kafka=cluster)) == 0
    _moved_consumer(topics, access)
    _write(cat, topics, access)
    _, live = _plan(cat, cluster, tmp_path, "live", base="HEAD")
    code = run_plan(cat, "local", base="HEAD", snapshot=snap, out=tmp_path / "snap.json", allow_delete=True)
    offline = json.loads((tmp_path / "snap.json").read_text())
    assert code == 0
    # (a revocation's evidence of use is read only with a connection: its note is left out)
    unread = [{k: v for k, v in e.items() if k != "notes"} for e in _entries(live)]
    assert [{k: v for k, v in e.items() if k != "notes"} for e in _entries(offline)] == unread
    assert offline["scope"]["acl"] == live["scope"]["acl"]


def test_narrowing_finds_the_principals_by_prefix_in_bounded_time() -> None:
    from kgov.kinds.acl.observe import AclScope

    principals = tuple(sorted({f"User:s{i:04d}" for i in range(1000)} | {"User:s0001.x"}))
    # every binding of one principal changed (a catalog adopting its cluster), 1,000 others not
    addresses = [f"acl.User:s0000.topic.literal.t.{i}.READ.allow.*" for i in range(100_000)]
    addresses.append("acl.User:s0001.x.group.literal.g.READ.allow.*")
    addresses.append("acl.User:gone.topic.literal.t.READ.allow.*")  # a principal the catalog dropped
    start = time.monotonic()
    narrowed = AclScope(principals, ("t",)).narrow(addresses)
    assert time.monotonic() - start < 10  # a change of every binding: not principals x addresses
    assert narrowed.principals == ("User:s0000", "User:s0001", "User:s0001.x") and narrowed.topics == ()
    assert AclScope(principals, ()).narrow([addresses[-2]]).principals == ("User:s0001", "User:s0001.x")
    assert AclScope(principals, ()).narrow([addresses[-1]]).principals == ()
