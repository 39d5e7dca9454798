"""`kgov diff --base`: the storage at retention the pull request adds, per environment (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.gitrepo import commit, init
from tests.support import kgov, topic_doc, write_catalog

GIB = 2**30


def _big() -> dict[str, Any]:
    big = topic_doc("orders.big", 12, retention_bytes=GIB)
    big["replication_factor"] = 3
    return big


def _repo(tmp_path: Path, **settings: Any) -> Path:
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.kept")]}, **settings)
    commit(repo, "base")
    write_catalog(cat, {"orders": [topic_doc("orders.kept"), _big()]}, **settings)
    commit(repo, "head")
    return cat


def test_diff_shows_36_partitions_and_36_gib_per_environment(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", "json")
    assert result.code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["capacity"], doc
    for c in doc["capacity"]:
        assert (c["topics"], c["partitions"], c["bytes"]) == (1, 36, 36 * GIB)
        assert c["line"] == "+1 topic, +36 partitions, +≈36.0 GiB at retention"
    markdown = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", "markdown")
    assert markdown.code == 0, markdown.output
    assert r"\+36 partitions, \+≈36\.0 GiB at retention" in markdown.stdout
    text = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat))
    assert "+1 topic, +36 partitions, +≈36.0 GiB at retention" in text.stdout


def test_a_diff_without_topic_changes_has_no_capacity(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.kept")]})
    commit(repo, "base")
    write_catalog(cat, {"orders": [topic_doc("orders.kept")]}, ownership={"delete": True})
    commit(repo, "head")
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", "json")
    assert "capacity" not in json.loads(result.stdout)


def test_a_threshold_in_kgov_yaml_marks_the_new_topic_attention(tmp_path: Path) -> None:
    cat = _repo(tmp_path, policy={"capacity": {"max_bytes_at_retention": "10GiB", "on_exceed": "block"}})
    result = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", "json")
    assert result.code == 0, result.output
    (big,) = [c for c in json.loads(result.stdout)["changes"] if c["name"] == "orders.big"]
    assert big["class"] == "attention"
    assert [r["code"] for r in big["reasons"]] == ["topic-added", "capacity-threshold"]
    assert "(kgov plan blocks it)" in big["reasons"][1]["message"]
    markdown = kgov("diff", "--base", "HEAD~1", "--catalog", str(cat), "--format", "markdown").stdout
    assert "| 🟡 attention | add topic <code>orders\\.big</code> |" in markdown
    assert "36\\.0 GiB is above policy\\.capacity\\.max\\_bytes\\_at\\_retention" in markdown


def test_a_bad_threshold_is_a_positioned_error_not_a_traceback(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    text = (cat / "kgov.yaml").read_text() + "\n"
    (cat / "kgov.yaml").write_text(
        text.replace("policy:", "policy:\n  capacity: {max_bytes_at_retention: lots}", 1)
        if "policy:" in text
        else text + "policy:\n  capacity: {max_bytes_at_retention: lots}\n"
    )
    result = kgov("lint", str(cat))
    assert result.code == 1, result.output
    assert "kgov.yaml:" in result.output and "Traceback" not in result.output
