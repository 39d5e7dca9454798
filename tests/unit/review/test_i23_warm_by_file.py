"""A scoped plan (`kgov plan --base`) finds the changed names from the files that differ and derives
the desired state of only the names it plans (kgov/kinds/by_file.py `NarrowsByFile`). Whatever the
change, its plan is the general path's (every kind derives both catalogs whole, as before): the same
exit code, scoped names, scope, entries, warnings and fingerprint, or the same error. Edge cases: a
topic moved between files, a renamed file, a file deleted or added, kgov.yaml changed (overrides,
default compatibility, protected topics, a rule turned off), acls and schema files changed, a
principal declared by two files, an invalid changed file, duplicate topic names across an unchanged
and a changed file, a config that does not normalise in an unchanged file, tampered cache entries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import kgov.engine.make
import kgov.review.compare
from kgov.catalog.grants import desired_bindings
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.registry import MemoryRegistry
from kgov.commands.plan import run_plan
from kgov.engine.make import make_plan
from kgov.errors import KgovError
from kgov.kinds.base import Backends
from kgov.kinds.subjects.desired import subject_levels
from kgov.plan.model import Scoped
from kgov.review.scope import scoped_against
from kgov.schemas.references import Source, find_references
from tests.gitrepo import commit, git, init
from tests.support import SETTINGS, topic_doc

Tree = dict[str, Any]  # relative path -> YAML document (dict) or text (str); None: no such file


def _avro(name: str, *fields: str) -> str:
    doc = {
        "type": "record",
        "name": name,
        "namespace": "shop",
        "fields": [{"name": f, "type": "long"} for f in fields],
    }
    return json.dumps(doc)


def _tree(count: int = 5) -> Tree:
    """Services s000..: two topics each (the first with a value schema, every other one a config),
    an acls file producing them and consuming the next service's; kgov.yaml with overrides."""
    tree: Tree = {
        "kgov.yaml": {
            **SETTINGS,
            # topics move between services' files, files are renamed: the rules that forbid it, off
            "policy": {
                **SETTINGS["policy"],
                "service_owns_prefix": False,
                "rules": {"file-name-service": "off"},
            },
            "environments": {
                "local": {
                    **SETTINGS["environments"]["local"],
                    "overrides": {"config": {"segment.bytes": 104857600}},
                }
            },
        }
    }
    for i in range(count):
        s, nxt = f"s{i:03d}", f"s{(i + 1) % count:03d}"
        first = {**topic_doc(f"{s}.a", retention_ms=86400000), "value_schema": f"{s}.a-value"}
        tree[f"topics/{s}.yaml"] = {"service": s, "owner": "team", "topics": [first, topic_doc(f"{s}.b")]}
        tree[f"schemas/{s}.a-value.avsc"] = _avro(f"A{i}", "id")
        tree[f"acls/{s}.yaml"] = {
            "service": s,
            "owner": "team",
            "principal": f"User:{s}",
            "produces": [f"{s}.a", f"{s}.b"],
            "consumes": [f"{nxt}.a"],
            "consumer_groups": [s],
        }
    return tree


def _write(cat: Path, tree: Tree) -> None:
    for rel, body in tree.items():
        path = cat / rel
        if body is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body if isinstance(body, str) else yaml.safe_dump(body, sort_keys=False))


def _never(monkeypatch: pytest.MonkeyPatch) -> None:
    """The general path: no kind answers from the files (every kind derives both sides whole)."""

    class Never:
        pass

    monkeypatch.setattr(kgov.review.compare, "NarrowsByFile", Never)
    monkeypatch.setattr(kgov.engine.make, "NarrowsByFile", Never)


def _backends(cat: Path) -> Backends:
    """The base's topics and bindings on the twin (+ drift a scoped plan does not look at), its
    subjects registered."""
    catalog = load_catalog(cat).catalog
    cluster = MemoryCluster(brokers=1)
    for t in catalog.topics():
        cluster.add_topic(t.name, t.partitions, 1)
    for grants in desired_bindings(catalog, "local").values():
        cluster.acls.update(grants)
    registry = MemoryRegistry()
    from kgov.cluster.registry.port import NewSchema

    for subject, f in catalog.schemas.items():
        registry.register(NewSchema(subject, f.format, f.text))
    return Backends(kafka=cluster, registry=registry)


def _plan(cat: Path, backends: Backends, out: Path) -> tuple[Any, ...]:
    try:
        code = run_plan(
            cat, "local", backends=backends, base="HEAD", out=out, allow_delete=True, detailed_exitcode=True
        )
    except KgovError as exc:
        return ("error", type(exc).__name__, str(exc), getattr(exc, "hint", None))
    doc = json.loads(out.read_text())
    doc.pop("created_at", None)
    return (code, doc)


def _compare(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Tree], None] | None = None,
    base: Tree | None = None,
    moves: tuple[tuple[str, str], ...] = (),
) -> tuple[Any, ...]:
    repo = init(tmp_path / "repo")
    cat = repo / "catalog"
    tree = base if base is not None else _tree()
    _write(cat, tree)
    commit(repo, "base")
    backends = _backends(cat)
    for old, new in moves:
        git(repo, "mv", f"catalog/{old}", f"catalog/{new}")
    if change is not None:
        changed: Tree = {}
        change(changed)
        _write(cat, changed)
    fast = _plan(cat, backends, tmp_path / "fast.json")
    with monkeypatch.context() as m:
        _never(m)
        general = _plan(cat, backends, tmp_path / "general.json")
    assert fast == general
    return fast


def _topics_file(tree: Tree, rel: str, topics: list[dict[str, Any]]) -> None:
    service = Path(rel).stem
    tree[rel] = {"service": service, "owner": "team", "topics": topics}


def _names(result: tuple[Any, ...]) -> dict[str, list[str]]:
    assert result[0] != "error", result
    names: dict[str, list[str]] = result[1]["scoped"]["names"]
    return names


def test_a_changed_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(t: Tree) -> None:
        first = {**topic_doc("s001.a", retention_ms=172800000), "value_schema": "s001.a-value"}
        _topics_file(t, "topics/s001.yaml", [first, topic_doc("s001.b")])

    result = _compare(tmp_path, monkeypatch, change)
    assert _names(result) == {"topic": ["s001.a"], "acl": [], "subject": [], "replicas": []}
    assert result[0] == 2


def test_a_changed_factor_and_a_topic_moved_with_its_factor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replica kind's names: the topic whose factor changed (and one created, one removed); a
    topic moved to another file with its factor is not among them."""

    def change(t: Tree) -> None:
        first = {**topic_doc("s001.a", retention_ms=86400000), "value_schema": "s001.a-value"}
        _topics_file(t, "topics/s001.yaml", [first, {**topic_doc("s001.b"), "replication_factor": 3}])
        a2 = {**topic_doc("s002.a", retention_ms=86400000), "value_schema": "s002.a-value"}
        _topics_file(t, "topics/s002.yaml", [a2, topic_doc("s002.new")])
        a3 = {**topic_doc("s003.a", retention_ms=86400000), "value_schema": "s003.a-value"}
        _topics_file(t, "topics/s003.yaml", [a3, topic_doc("s003.b"), topic_doc("s002.b")])

    assert _names(_compare(tmp_path, monkeypatch, change))["replicas"] == ["s001.b", "s002.new"]


def test_nothing_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _compare(tmp_path, monkeypatch)
    assert _names(result) == {"topic": [], "acl": [], "subject": [], "replicas": []}


def test_a_topic_moved_between_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(t: Tree) -> None:
        first = {**topic_doc("s001.a", retention_ms=86400000), "value_schema": "s001.a-value"}
        _topics_file(t, "topics/s001.yaml", [first])
        a2 = {**topic_doc("s002.a", retention_ms=86400000), "value_schema": "s002.a-value"}
        _topics_file(t, "topics/s002.yaml", [a2, topic_doc("s002.b"), topic_doc("s001.b")])

    assert _names(_compare(tmp_path, monkeypatch, change))["topic"] == []  # same spec, another file


def test_a_topic_moved_and_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(t: Tree) -> None:
        first = {**topic_doc("s001.a", retention_ms=86400000), "value_schema": "s001.a-value"}
        _topics_file(t, "topics/s001.yaml", [first])
        a2 = {**topic_doc("s002.a", retention_ms=86400000), "value_schema": "s002.a-value"}
        _topics_file(t, "topics/s002.yaml", [a2, topic_doc("s002.b"), topic_doc("s001.b", partitions=3)])

    assert _names(_compare(tmp_path, monkeypatch, change))["topic"] == ["s001.b"]


def test_a_renamed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _compare(tmp_path, monkeypatch, moves=(("topics/s001.yaml", "topics/s001-moved.yaml"),))
    assert _names(result)["topic"] == []


def test_a_renamed_and_edited_acls_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(t: Tree) -> None:
        doc = _tree()["acls/s001.yaml"]
        t["acls/s001-moved.yaml"] = {**doc, "consumer_groups": ["s001", "s001-extra"]}

    result = _compare(tmp_path, monkeypatch, change, moves=(("acls/s001.yaml", "acls/s001-moved.yaml"),))
    assert _names(result)["acl"] == ["acl.User:s001.group.literal.s001-extra.READ.allow.*"]


def test_a_deleted_and_an_added_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(t: Tree) -> None:
        t["topics/s003.yaml"] = None
        t["acls/s003.yaml"] = None
        t["acls/s002.yaml"] = {**_tree()["acls/s002.yaml"], "consumes": ["s009.a"]}
        _topics_file(
            t, "topics/s009.yaml", [topic_doc("s009.a"), topic_doc("s009.b", cleanup_policy="compact")]
        )
        t["acls/s009.yaml"] = {
            "service": "s009",
            "owner": "team",
            "principal": "User:s009",
            "produces": ["s009.a"],
        }

    names = _names(_compare(tmp_path, monkeypatch, change))
    assert names["topic"] == ["s003.a", "s003.b", "s009.a", "s009.b"]
    assert any(n.startswith("acl.User:s009.") for n in names["acl"])
    assert any(n.startswith("acl.User:s003.") for n in names["acl"])
    assert names["subject"] == ["s003.a-value"]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda d: d["environments"]["local"]["overrides"]["config"].update({"segment.bytes": 2**28}),
            id="override",
        ),
        pytest.param(
            lambda d: d["environments"]["local"].update({"overrides": {"partitions": 2}}), id="partitions"
        ),
        pytest.param(
            lambda d: d["policy"].update({"default_compatibility": "FULL"}), id="default-compatibility"
        ),
        pytest.param(
            lambda d: d["ownership"].update({"protected": ["__*", "_*", "s002.zz*"]}), id="protected"
        ),
        pytest.param(lambda d: d["policy"].update({"rules": {"catch-all-topic": "off"}}), id="rules"),
        pytest.param(
            lambda d: d["environments"]["local"]["overrides"].update({"replication_factor": 2}),
            id="replication-factor",
        ),
    ],
)
def test_kgov_yaml_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[Any], None]
) -> None:
    def change(t: Tree) -> None:
        doc = json.loads(json.dumps(_tree()["kgov.yaml"]))
        edit(doc)
        t["kgov.yaml"] = doc
        first = {**topic_doc("s001.a", retention_ms=172800000), "value_schema": "s001.a-value"}
        _topics_file(t, "topics/s001.yaml", [first, topic_doc("s001.b")])

    _compare(tmp_path, monkeypatch, change)


def test_a_level_changed_by_the_first_topic_to_name_a_subject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def change(t: Tree) -> None:  # s000.x sorts before s001.a and names s001.a-value at FULL
        a0 = {**topic_doc("s000.a", retention_ms=86400000), "value_schema": "s000.a-value"}
        x = {**topic_doc("s000.x"), "value_schema": {"subject": "s001.a-value", "compatibility": "FULL"}}
        _topics_file(t, "topics/s000.yaml", [a0, topic_doc("s000.b"), x])

    names = _names(_compare(tmp_path, monkeypatch, change))
    assert names["subject"] == ["s001.a-value"] and names["topic"] == ["s000.x"]


def test_a_schema_file_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(t: Tree) -> None:
        t["schemas/s002.a-value.avsc"] = json.dumps(
            {
                "type": "record",
                "name": "A2",
                "namespace": "shop",
                "fields": [
                    {"name": "id", "type": "long"},
                    {"name": "x", "type": ["null", "long"], "default": None},
                ],
            }
        )

    assert _names(_compare(tmp_path, monkeypatch, change))["subject"] == ["s002.a-value"]


def test_acls_of_a_principal_declared_by_two_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = _tree()
    base["acls/s001-extra.yaml"] = {
        "service": "s001x",
        "owner": "team",
        "principal": "User:s001",
        "consumes": ["s003.a", "s004.a"],
    }

    def change(t: Tree) -> None:  # s003.a: still granted by the other file; s004.a: revoked
        t["acls/s001-extra.yaml"] = {**base["acls/s001-extra.yaml"], "consumes": ["s003.a"]}
        t["acls/s001.yaml"] = {**base["acls/s001.yaml"], "consumes": ["s002.a", "s003.a"]}

    names = _names(_compare(tmp_path, monkeypatch, change, base=base))
    assert names["acl"] == [
        "acl.User:s001.topic.literal.s004.a.DESCRIBE.allow.*",
        "acl.User:s001.topic.literal.s004.a.READ.allow.*",
    ]


def test_a_grant_also_made_by_an_unchanged_file_of_the_principal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _tree()
    base["acls/s001x.yaml"] = {
        "service": "s001x",
        "owner": "team",
        "principal": "User:s001",
        "consumes": ["s003.a"],
    }

    def change(t: Tree) -> None:  # s003.a is granted on both sides (by s001x.yaml): not a change
        t["acls/s001.yaml"] = {
            **base["acls/s001.yaml"],
            "consumes": ["s002.a", "s003.a"],
            "consumer_groups": ["g2"],
        }

    names = _names(_compare(tmp_path, monkeypatch, change, base=base))
    assert names["acl"] == [
        "acl.User:s001.group.literal.g2.READ.allow.*",
        "acl.User:s001.group.literal.s001.READ.allow.*",
    ]


def test_a_principal_whose_name_starts_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = _tree()
    base["acls/s001x.yaml"] = {
        "service": "s001x",
        "owner": "team",
        "principal": "User:s001.x",
        "consumes": ["s002.a"],
    }

    def change(t: Tree) -> None:
        t["acls/s001x.yaml"] = {**base["acls/s001x.yaml"], "consumes": ["s002.a", "s003.a"]}

    names = _names(_compare(tmp_path, monkeypatch, change, base=base))
    assert names["acl"] and all(n.startswith("acl.User:s001.x.") for n in names["acl"])


def test_an_invalid_changed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def change(t: Tree) -> None:
        t["topics/s001.yaml"] = "service: s001\nowner: team\ntopics:\n  - name: [unclosed\n"

    result = _compare(tmp_path, monkeypatch, change)
    assert result[0] == "error"


def test_a_duplicate_topic_across_an_unchanged_and_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def change(t: Tree) -> None:
        _topics_file(
            t, "topics/s002.yaml", [topic_doc("s002.a"), topic_doc("s002.b"), topic_doc("s001.b", 2)]
        )

    assert _compare(tmp_path, monkeypatch, change)[0] == "error"  # lint: duplicate-topic


def test_a_duplicate_topic_with_the_rule_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = _tree()
    base["kgov.yaml"]["policy"]["rules"] = {"duplicate-topic": "off"}

    def change(t: Tree) -> None:  # which s001.b wins depends on the files' order: compared in full
        _topics_file(
            t, "topics/s002.yaml", [topic_doc("s002.a"), topic_doc("s002.b"), topic_doc("s001.b", 2)]
        )

    _compare(tmp_path, monkeypatch, change, base=base)


def test_a_duplicate_in_a_changed_file_that_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """s000.yaml is read before s001.yaml: its s001.b is overridden by s001.yaml's, unchanged."""
    base = _tree()
    base["kgov.yaml"]["policy"]["rules"] = {"duplicate-topic": "off"}

    def change(t: Tree) -> None:
        a0 = {**topic_doc("s000.a", retention_ms=86400000), "value_schema": "s000.a-value"}
        _topics_file(t, "topics/s000.yaml", [a0, topic_doc("s000.b"), topic_doc("s001.b", 2)])

    assert _names(_compare(tmp_path, monkeypatch, change, base=base))["topic"] == []


def test_a_duplicate_topic_in_the_base_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = _tree()
    _topics_file(base, "topics/s002.yaml", [topic_doc("s002.a"), topic_doc("s002.b"), topic_doc("s001.b", 2)])

    def change(t: Tree) -> None:
        _topics_file(t, "topics/s002.yaml", [topic_doc("s002.a"), topic_doc("s002.b")])

    _compare(tmp_path, monkeypatch, change, base=base)


def test_an_invalid_config_in_an_unchanged_file_with_its_rule_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lint lets it through; deriving the desired topics stops on it: both paths stop alike."""
    base = _tree()
    base["kgov.yaml"]["policy"]["rules"] = {"invalid-config-value": "off"}
    _topics_file(base, "topics/s004.yaml", [topic_doc("s004.a", retention_ms="soon"), topic_doc("s004.b")])

    def change(t: Tree) -> None:
        first = {**topic_doc("s001.a", retention_ms=172800000), "value_schema": "s001.a-value"}
        _topics_file(t, "topics/s001.yaml", [first, topic_doc("s001.b")])

    result = _compare(tmp_path, monkeypatch, change, base=base)
    assert result[0] == "error" and "s004.a" in result[2]


def test_an_invalid_override_with_its_rule_off_and_only_acls_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _tree()
    base["kgov.yaml"]["policy"]["rules"] = {"unknown-config": "off"}
    base["kgov.yaml"]["environments"]["local"]["overrides"] = {"config": {"retention.msec": 5}}

    def change(t: Tree) -> None:
        t["acls/s001.yaml"] = {**_tree()["acls/s001.yaml"], "consumer_groups": ["s001", "other"]}

    result = _compare(tmp_path, monkeypatch, change, base=base)
    assert result[0] == "error"


def test_tampered_cache_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries of the parse cache made unusable (not JSON, a wrong key, non-plain data, a symlink):
    each is a miss, and both paths plan the same."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("KGOV_CACHE_DIR", str(cache))
    repo = init(tmp_path / "repo")
    cat = repo / "catalog"
    _write(cat, _tree())
    commit(repo, "base")
    load_catalog(cat)  # fills the cache
    entries = sorted(cache.rglob("*.json"))
    assert len(entries) >= 4
    entries[0].write_text("{not json")
    doc = json.loads(entries[1].read_text())
    entries[1].write_text(json.dumps({**doc, "key": "0" * 64}))
    entries[2].write_text(json.dumps({**doc, "data": {"service": 1.5}}))
    entries[3].unlink()
    entries[3].symlink_to(entries[1])

    def change(t: Tree) -> None:
        first = {**topic_doc("s001.a", retention_ms=172800000), "value_schema": "s001.a-value"}
        _topics_file(t, "topics/s001.yaml", [first, topic_doc("s001.b")])

    result = _compare(tmp_path / "second", monkeypatch, change)
    assert _names(result)["topic"] == ["s001.a"]


def _both(monkeypatch: pytest.MonkeyPatch, run: Callable[[], Any]) -> Any:
    def one() -> Any:
        try:
            return run()
        except KgovError as exc:
            return ("error", type(exc).__name__, str(exc))

    fast = one()
    with monkeypatch.context() as m:
        _never(m)
        assert fast == one()
    return fast


def _repo(tmp_path: Path, base: Tree, change: Callable[[Tree], None]) -> Path:
    repo = init(tmp_path / "repo")
    cat = repo / "catalog"
    _write(cat, base)
    commit(repo, "base")
    changed: Tree = {}
    change(changed)
    _write(cat, changed)
    return cat


def test_changed_names_with_a_config_that_does_not_normalise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without lint in between (kgov/review/scope.py alone): deriving the desired topics stops on it,
    whichever path."""
    base = _tree()
    _topics_file(base, "topics/s004.yaml", [topic_doc("s004.a", retention_ms="soon"), topic_doc("s004.b")])

    def change(t: Tree) -> None:
        _topics_file(t, "topics/s001.yaml", [topic_doc("s001.a", 3), topic_doc("s001.b")])

    cat = _repo(tmp_path, base, change)
    catalog = load_catalog(cat).catalog
    result = _both(monkeypatch, lambda: scoped_against(catalog, cat, "local", "HEAD"))
    assert result[0] == "error" and "s004.a" in result[2]
    scoped = Scoped("HEAD", "0" * 40, {"topic": ("s001.a",), "acl": (), "subject": ()})
    backends = Backends(kafka=MemoryCluster(brokers=1), registry=MemoryRegistry())

    def plan() -> Any:
        made = make_plan(catalog, "local", backends, allow_delete=False, scoped=scoped)
        return {**made.to_json(), "created_at": None}

    result = _both(monkeypatch, plan)
    assert result[0] == "error" and "s004.a" in result[2]


def test_changed_names_against_a_base_without_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plan --snapshot --base` compares with a base that may lack the environment: its principals
    are then the files' defaults, not the environment's."""
    base = _tree()
    base["kgov.yaml"]["environments"] = {"dev": base["kgov.yaml"]["environments"]["local"]}
    base["acls/s001.yaml"]["principals"] = {"local": "User:s001-local"}

    def change(t: Tree) -> None:
        t["kgov.yaml"] = _tree()["kgov.yaml"]

    cat = _repo(tmp_path, base, change)
    catalog = load_catalog(cat).catalog
    result = _both(monkeypatch, lambda: scoped_against(catalog, cat, "local", "HEAD"))
    assert any("User:s001-local" in n for n in result.names["acl"])


def _levels_by_sorting(catalog: Catalog, refs: Any) -> dict[str, str]:
    """subject_levels as it was: the first topic in name order (a stable sort) sets the level."""
    default = catalog.settings.policy.default_compatibility
    levels: dict[str, str] = {}
    for topic in sorted(catalog.topics(), key=lambda t: t.name):
        for ref in (topic.key_schema, topic.value_schema):
            if ref is not None and ref.subject not in levels:
                levels[ref.subject] = ref.compatibility or default
    pending = list(levels)
    while pending:
        for target in refs.get(pending.pop(), ()):
            if target.subject not in levels:
                levels[target.subject] = default
                pending.append(target.subject)
    return levels


def test_subject_levels_in_one_pass_are_those_of_the_sort(tmp_path: Path) -> None:
    tree = _tree()
    tree["kgov.yaml"]["policy"]["rules"] = {"duplicate-topic": "off"}
    x = {"subject": "s001.a-value", "compatibility": "FULL"}
    y = {"subject": "s001.a-value", "compatibility": "NONE"}
    # s001.a twice (the second file's is later in the catalog), one with key and value at two levels
    _topics_file(tree, "topics/s003.yaml", [{**topic_doc("s001.a"), "key_schema": x, "value_schema": y}])
    _topics_file(tree, "topics/s004.yaml", [{**topic_doc("s001.a"), "value_schema": y}, topic_doc("s004.b")])
    k, v = (
        {"subject": "s000.a-value", "compatibility": "FULL"},
        {"subject": "s000.a-value", "compatibility": "NONE"},
    )
    _topics_file(
        tree,
        "topics/s000.yaml",
        [
            {**topic_doc("s002.z"), "key_schema": y},
            {**topic_doc("s000.k"), "key_schema": k, "value_schema": v},
        ],
    )
    _write(tmp_path, tree)
    catalog = load_catalog(tmp_path).catalog
    refs, _ = find_references({s: Source(f.format, f.text) for s, f in catalog.schemas.items()})
    assert subject_levels(catalog, refs) == _levels_by_sorting(catalog, refs)
    levels = subject_levels(catalog, refs)
    assert levels["s001.a-value"] == "BACKWARD"  # s001.yaml's s001.a, the first of the three: the default
    assert levels["s000.a-value"] == "FULL"  # the key schema's level before the value schema's
