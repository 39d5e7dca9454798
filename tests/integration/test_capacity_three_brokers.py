"""Issue 22's capacity acceptance on the three-broker sandbox: the example catalog plus one new topic of
12 partitions at RF 3 and retention.bytes 1 GiB. The Markdown plan and `kgov diff --base` show
+36 partitions and +36 GiB; policy.capacity.max_bytes_at_retention 10GiB marks it (attention in the
diff, blocked in the plan)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.gitrepo import commit, init

from .conftest import REPO, ThreeBrokers
from .kgovtest import kgov

NEW_TOPIC = """\
  - name: orders.audit
    description: Every change to an order, for the auditors.
    partitions: 12
    replication_factor: 3
    classification: internal
    config:
      retention.bytes: 1GiB
      min.insync.replicas: 2
"""


@pytest.fixture
def example(tmp_path: Path, sandbox3: ThreeBrokers, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example catalog in a git repository, applied to the three-broker sandbox (env local3), and
    the new topic added in the working tree (not committed: `diff --base HEAD` compares with it)."""
    for name, value in sandbox3.env.items():
        monkeypatch.setenv(name, value)
    for service in ("orders", "inventory", "notifications", "shipping", "users", "payments"):
        monkeypatch.setenv(f"{service.upper()}_PASSWORD", f"example-{service}-password")
    repo = init(tmp_path / "repo")
    shutil.copytree(REPO / "catalog", repo / "catalog")
    commit(repo, "the example catalog")
    cat = repo / "catalog"
    applied = kgov("apply", "--env", "local3", "--catalog", str(cat), "--auto-approve")
    assert applied.code == 0, applied.output
    with (cat / "topics" / "orders.yaml").open("a", encoding="utf-8") as out:
        out.write(NEW_TOPIC)
    return cat


def _threshold(cat: Path, on_exceed: str) -> None:
    path = cat / "kgov.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["policy"]["capacity"] = {"max_bytes_at_retention": "10GiB", "on_exceed": on_exceed}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_the_new_topic_shows_36_partitions_and_36_gib(example: Path) -> None:
    plan = kgov("plan", "--env", "local3", "--catalog", str(example), "--format", "markdown")
    assert plan.code == 0, plan.output
    assert r"storage at retention: 12 partitions x RF 3 x 1\.0 GiB = 36\.0 GiB" in plan.stdout
    # the one-line summary, with the broker that holds the most afterwards
    line = re.search(
        r"Capacity: \\\+1 topic, \\\+36 partitions, \\\+≈36\\\.0 GiB at retention; "
        r"largest broker ≈([\d,]+) partitions",
        plan.stdout,
    )
    assert line is not None, plan.stdout
    assert int(line.group(1).replace(",", "")) >= 12  # its share of the 36 replicas, at least

    diff = kgov("diff", "--base", "HEAD", "--catalog", str(example), "--format", "markdown")
    assert diff.code == 0, diff.output
    for env in ("local3", "prod"):  # one line per environment; local's override is RF 1
        assert (
            f"- capacity in <code>{env}</code>: \\+1 topic, \\+36 partitions, \\+≈36\\.0 GiB at retention"
            in diff.stdout
        )
    assert r"- capacity in <code>local</code>: \+1 topic, \+12 partitions, \+≈12\.0 GiB" in diff.stdout


def test_a_10_gib_threshold_marks_it_attention_in_the_diff_and_blocks_the_plan(example: Path) -> None:
    _threshold(example, "block")
    diff = kgov("diff", "--base", "HEAD", "--catalog", str(example), "--format", "markdown")
    assert diff.code == 0, diff.output
    assert "need attention" in diff.stdout and "0 need attention" not in diff.stdout
    assert (
        r"storage at retention 36\.0 GiB is above policy\.capacity\.max\_bytes\_at\_retention "
        r"\(10\.0 GiB\) \(kgov plan blocks it\)" in diff.stdout
    )
    plan = kgov("plan", "--env", "local3", "--catalog", str(example), "--format", "markdown")
    assert plan.code == 1, plan.output
    assert "BLOCKED" in plan.stdout and r"orders\.audit" in plan.stdout
    assert r"storage at retention 36\.0 GiB is above" in plan.stdout

    _threshold(example, "attention")
    marked = kgov("plan", "--env", "local3", "--catalog", str(example), "--format", "markdown")
    assert marked.code == 0, marked.output
    assert r"attention: storage at retention 36\.0 GiB is above" in marked.stdout
