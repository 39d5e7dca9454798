"""`kgov diff --base REF` on real git repositories with two commits: every class of change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import commit, git, init
from tests.support import kgov, topic_doc, write_catalog

BASE_TOPICS = [
    topic_doc("orders.gone"),
    topic_doc("orders.shrunk", 6),
    topic_doc("orders.replicated"),
    topic_doc("orders.policy", 2),
    topic_doc("orders.kept", 3, retention_ms=604800000),
    topic_doc("orders.compacted", 2, cleanup_policy="compact"),
    topic_doc("orders.plain", 2),
    topic_doc("orders.tuned", 1, max_message_bytes=1000000),
]


def _head_topics() -> list[dict[str, Any]]:
    replicated = topic_doc("orders.replicated")
    replicated["replication_factor"] = 3
    return [
        topic_doc("orders.shrunk", 3),  # partitions decrease: breaking
        replicated,  # RF change: breaking
        topic_doc("orders.policy", 2, cleanup_policy="compact"),  # delete -> compact: breaking
        topic_doc("orders.kept", 3, retention_ms="1d"),  # retention cut: breaking
        topic_doc("orders.compacted", 4, cleanup_policy="compact"),  # increase on compacted: attention
        topic_doc("orders.plain", 4),  # increase on an unkeyed topic: safe
        topic_doc("orders.tuned", 1, max_message_bytes=2000000),  # reconfigured: safe
        topic_doc("orders.new"),  # added: safe
    ]  # orders.gone removed: breaking


def _repo(tmp_path: Path, head: list[dict[str, Any]] | None = None, **settings: Any) -> Path:
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {"orders": BASE_TOPICS})
    commit(repo, "base")
    write_catalog(cat, {"orders": head if head is not None else _head_topics()}, **settings)
    commit(repo, "head")  # the second commit; diff compares the working tree with HEAD~1
    return cat


def _json(cat: Path, *extra: str) -> dict[str, Any]:
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", "json", *extra)
    assert result.code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _classes(doc: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {c["address"]: (c["class"], [r["code"] for r in c["reasons"]]) for c in doc["changes"]}


def test_each_class_of_topic_change(tmp_path: Path) -> None:
    doc = _json(_repo(tmp_path))
    assert _classes(doc) == {
        "topic.orders.gone": ("breaking", ["topic-deleted"]),
        "topic.orders.shrunk": ("breaking", ["partitions-decreased"]),
        "topic.orders.replicated": ("attention", ["replication-factor-changed"]),  # issue 20
        "topic.orders.policy": ("breaking", ["cleanup-policy-switched"]),
        "topic.orders.kept": ("breaking", ["retention-cut"]),
        "topic.orders.compacted": ("attention", ["partitions-increased-keyed"]),
        "topic.orders.plain": ("safe", ["partitions-increased"]),
        "topic.orders.tuned": ("safe", ["topic-reconfigured"]),
        "topic.orders.new": ("safe", ["topic-added"]),
    }
    assert doc["summary"] == {"safe": 3, "attention": 2, "breaking": 4, "total": 9}
    assert doc["environments"] == ["local"]
    kept = next(c for c in doc["changes"] if c["name"] == "orders.kept")
    assert kept["changes"] == [{"field": "config.retention.ms", "before": "604800000", "after": "86400000"}]
    assert kept["location"]["file"] == str(tmp_path / "repo/catalog/topics/orders.yaml")
    assert kept["location"]["line"] > 1


def test_a_removed_topic_points_at_its_file_in_the_working_tree_not_a_temporary_copy(tmp_path: Path) -> None:
    doc = _json(_repo(tmp_path))
    gone = next(c for c in doc["changes"] if c["name"] == "orders.gone")
    assert gone["location"]["file"] == str(tmp_path / "repo/catalog/topics/orders.yaml")
    assert gone["action"] == "remove"


def test_a_partition_increase_on_a_keyed_topic_needs_attention(tmp_path: Path) -> None:
    keyed_base = {**topic_doc("orders.keyed", 2), "key_schema": "orders.keyed-key"}
    keyed_head = {**topic_doc("orders.keyed", 4), "key_schema": "orders.keyed-key"}
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {"orders": [keyed_base]})
    commit(repo, "base")
    write_catalog(cat, {"orders": [keyed_head]})
    # uncommitted: the working tree against HEAD
    result = kgov("diff", "--base", "HEAD", "--catalog", str(cat), "--format", "json")
    doc = json.loads(result.stdout)
    assert _classes(doc) == {"topic.orders.keyed": ("attention", ["partitions-increased-keyed"])}
    assert "keyed topic" in doc["changes"][0]["reasons"][0]["message"]


def test_ownership_delete_turned_on_needs_attention(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo2")
    cat = write_catalog(repo / "catalog", {"orders": BASE_TOPICS}, ownership={"delete": False})
    commit(repo, "base")
    write_catalog(cat, {"orders": BASE_TOPICS}, ownership={"delete": True})
    commit(repo, "head")
    doc = _json(cat)
    assert _classes(doc) == {"settings.ownership.delete": ("attention", ["ownership-delete-on"])}
    assert doc["changes"][0]["location"]["file"].endswith("catalog/kgov.yaml")


def test_protected_pattern_removed_needs_attention(tmp_path: Path) -> None:
    doc = _json(_repo(tmp_path, BASE_TOPICS, ownership={"protected": ["__*"], "delete": True}))
    assert _classes(doc) == {"settings.ownership.protected": ("attention", ["protection-removed"])}


def test_environment_overrides_are_compared_per_environment(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    envs = {
        "local": {"kafka": {"bootstrap_servers": "localhost:9092"}},
        "prod": {"kafka": {"bootstrap_servers": "prod:9092"}, "overrides": {"replication_factor": 3}},
    }
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.a", 2)]}, environments=envs)
    commit(repo, "base")
    envs["prod"]["overrides"] = {"replication_factor": 3, "partitions": 1}
    write_catalog(cat, {"orders": [topic_doc("orders.a", 2)]}, environments=envs)
    commit(repo, "head")
    doc = _json(cat)
    assert doc["environments"] == ["local", "prod"]
    assert _classes(doc) == {"topic.orders.a": ("breaking", ["partitions-decreased"])}
    assert doc["changes"][0]["environments"] == ["prod"]
    assert _json(cat, "--env", "local")["changes"] == []


def test_fail_on_sets_exit_1_only_for_that_class_or_worse(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    assert kgov("diff", "--base", "HEAD~1", "--catalog", str(cat)).code == 0
    failed = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--fail-on", "breaking")
    assert failed.code == 1
    assert "4 change(s) classed breaking or worse" in failed.stderr  # issue 20: an RF change is attention
    safe_only = [*BASE_TOPICS, topic_doc("orders.extra")]
    cat2 = _repo(tmp_path / "two", safe_only)
    assert kgov("diff", "--base", "HEAD~1", "--catalog", str(cat2), "--fail-on", "attention").code == 0


def test_text_output_lists_breaking_first(tmp_path: Path) -> None:
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(_repo(tmp_path)))
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith("4 breaking, 2 need attention, 3 safe (9 changes)")
    first = next(line for line in lines[1:] if line and not line.startswith(" "))
    assert first.startswith("BREAKING")


def test_markdown_is_summary_first_with_details_folded(tmp_path: Path) -> None:
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(_repo(tmp_path)), "--format", "markdown")
    text = result.stdout
    assert text.index("4 breaking") < text.index("<details>")
    assert "| 🔴 breaking | remove topic <code>orders\\.gone</code> |" in text
    assert text.count("<details>") == 1 and text.count("</details>") == 1


def test_sarif_has_a_result_per_reason_at_the_catalog_line(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", "sarif")
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    shrunk = by_rule["diff/partitions-decreased"]
    assert shrunk["level"] == "error"
    region = shrunk["locations"][0]["physicalLocation"]["region"]
    text = (cat / "topics" / "orders.yaml").read_text().splitlines()
    assert "orders.shrunk" in text[region["startLine"] - 1]
    assert by_rule["diff/partitions-increased-keyed"]["level"] == "warning"
    assert by_rule["diff/topic-added"]["level"] == "note"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][shrunk["ruleIndex"]] == shrunk["ruleId"]


def test_a_broken_catalog_is_refused_rather_than_shown_as_deletions(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    (cat / "topics" / "orders.yaml").write_text("service: orders\ntopics: [oops\n")
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat))
    assert result.code == 1
    assert "hide resources; nothing was compared" in result.stderr
    assert "orders.yaml:" in result.stderr
    assert "Traceback" not in result.output


def test_shallow_clone_error_from_the_command(tmp_path: Path) -> None:
    _repo(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{tmp_path / 'repo'}", str(clone))
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(clone / "catalog"))
    assert result.code == 1
    assert "this clone is shallow (depth 1); fetch the base: git fetch --depth=2 origin" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif"])
def test_no_changes(tmp_path: Path, fmt: str) -> None:
    cat = _repo(tmp_path, BASE_TOPICS)
    result = kgov(
        "diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", fmt, "--fail-on", "attention"
    )
    assert result.code == 0
    if fmt == "json":
        assert json.loads(result.stdout)["summary"]["total"] == 0
    if fmt == "text":
        assert "No catalog changes." in result.stdout


def test_access_changes_read_as_bindings_of_the_example_catalog(tmp_path: Path) -> None:
    import shutil

    repo = init(tmp_path / "repo")
    shutil.copytree(Path(__file__).resolve().parents[3] / "catalog", repo / "catalog")
    commit(repo, "base")
    acl = repo / "catalog" / "acls" / "inventory.yaml"
    text = acl.read_text()
    assert "consumes: [orders.created, orders.cancelled]" in text
    acl.write_text(
        text.replace("[orders.created, orders.cancelled]", "[orders.created, payments.authorized]")
    )
    doc = _json_at(repo / "catalog", "HEAD")
    got = {(c["label"], c["class"]) for c in doc["changes"]}
    assert got == {
        ("allow User:inventory READ topic orders.cancelled", "breaking"),
        ("allow User:inventory DESCRIBE topic orders.cancelled", "breaking"),
        ("allow User:inventory READ topic payments.authorized", "attention"),
        ("allow User:inventory DESCRIBE topic payments.authorized", "attention"),
    }
    assert all(
        c["changes"] == [] and c["location"]["file"].endswith("acls/inventory.yaml") for c in doc["changes"]
    )


def _json_at(cat: Path, base: str) -> dict[str, Any]:
    result = kgov("diff", "--base", base, "--catalog", str(cat), "--format", "json")
    assert result.code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _example_repo(tmp_path: Path) -> Path:
    import shutil

    repo = init(tmp_path / "repo")
    shutil.copytree(Path(__file__).resolve().parents[3] / "catalog", repo / "catalog")
    commit(repo, "base")
    return repo / "catalog"


def test_a_schema_change_carries_the_offline_compatibility_verdict(tmp_path: Path) -> None:
    cat = _example_repo(tmp_path)
    schema = cat / "schemas" / "orders.created-value.avsc"
    doc = json.loads(schema.read_text())
    # a field without a default, added: a BACKWARD reader cannot read old records
    doc["fields"].append({"name": "sales_region", "type": "string"})
    schema.write_text(json.dumps(doc, indent=2))
    found = {c["address"]: c for c in _json_at(cat, "HEAD")["changes"]}
    change = found["subject.orders.created-value"]
    assert change["class"] == "breaking"
    (reason,) = [r for r in change["reasons"] if r["code"] == "schema-incompatible"]
    assert "BACKWARD" in reason["message"] and "sales_region" in reason["message"]

    doc["fields"][-1]["default"] = "web"  # with a default it is BACKWARD compatible
    schema.write_text(json.dumps(doc, indent=2))
    change = {c["address"]: c for c in _json_at(cat, "HEAD")["changes"]}["subject.orders.created-value"]
    assert (change["class"], [r["code"] for r in change["reasons"]]) == ("safe", ["schema-compatible"])


def test_a_subject_level_lowered_needs_attention_and_none_checks_nothing(tmp_path: Path) -> None:
    cat = _example_repo(tmp_path)
    topics = cat / "topics" / "orders.yaml"
    text = topics.read_text()
    old = "    value_schema: orders.created-value\n"
    assert old in text
    topics.write_text(
        text.replace(old, "    value_schema: {subject: orders.created-value, compatibility: NONE}\n")
    )
    schema = cat / "schemas" / "orders.created-value.avsc"
    doc = json.loads(schema.read_text())
    doc["fields"].append({"name": "sales_region", "type": "string"})  # incompatible, but NONE allows it
    schema.write_text(json.dumps(doc, indent=2))
    change = {c["address"]: c for c in _json_at(cat, "HEAD")["changes"]}["subject.orders.created-value"]
    assert (change["class"], [r["code"] for r in change["reasons"]]) == (
        "attention",
        ["compatibility-lowered"],
    )
    assert {row["field"] for row in change["changes"]} == {"compatibility", "schema"}
