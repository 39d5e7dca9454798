"""`kgov plan --base REF` on the sandbox: the changed topics only, a fixed number of requests, the
same entries as a full plan, and apply of the saved scoped plan converges."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kgov.commands.common import checked_catalog, connect
from kgov.commands.plan import run_plan
from kgov.engine.make import make_plan
from kgov.plan.model import EVIDENCE
from tests.gitrepo import commit, init
from tests.support import topic_doc

from .kgovtest import kgov, unique_service, write_catalog


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox."""


def _plan(cat: Path, tmp_path: Path, *extra: str) -> dict[str, object]:
    out = tmp_path / "p.json"
    result = kgov(
        "plan", "--env", "local", "--catalog", str(cat), "--allow-delete", "--out", str(out), *extra
    )
    assert result.code == 0, result.output
    doc: dict[str, object] = json.loads(out.read_text())
    return doc


def test_scoped_plan_reads_only_the_change_and_applies(tmp_path: Path) -> None:
    svc = unique_service()
    repo = init(tmp_path / "repo")
    topics = [topic_doc(f"{svc}.t{i:02d}", 2) for i in range(40)]
    cat = write_catalog(repo / "catalog", {svc: topics})
    applied = kgov("apply", "--env", "local", "--catalog", str(cat), "--auto-approve")
    assert applied.code == 0, applied.output
    commit(repo, "applied")

    topics[3] = topic_doc(f"{svc}.t03", 4)  # grows
    topics[5] = topic_doc(f"{svc}.t05", 2, retention_ms="1d")  # reconfigured
    del topics[7]  # removed: deleted with --allow-delete
    topics.append(topic_doc(f"{svc}.new"))  # created
    write_catalog(cat, {svc: topics})

    catalog = checked_catalog(cat, "local")
    ports = connect(catalog, "local")
    out = tmp_path / "scoped.json"
    assert run_plan(cat, "local", backends=ports, base="HEAD", out=out, allow_delete=True) == 0
    assert ports.kafka is not None
    requests = dict(ports.kafka.requests)  # type: ignore[attr-defined]
    # topics: one DescribeConfigs for the 4 changed names; no ACL binding changed: none read; the
    # user kind (which does not narrow) read in full, with its fixed number of requests
    assert requests["describe_configs"] == 1
    # the delete's evidence (kgov/kinds/topics/evidence.py): one group listing, an offset fetch per
    # group on the (shared) cluster, ListOffsets latest and max-timestamp (earliest: logs holding data)
    # and the measured write rate of the changed topics only time bounds (kgov/kinds/topics/measure.py):
    # ListOffsets at timestamp 0 and max-timestamp
    evidence = {"list_consumer_groups", "list_consumer_group_offsets", "list_offsets"}
    assert requests["list_consumer_groups"] == 1 and requests["list_offsets"] <= 3 + 2, requests
    assert sum(n for r, n in requests.items() if r not in evidence) <= 8, requests
    scoped = json.loads(out.read_text())
    full = _plan(cat, tmp_path)
    assert scoped["scoped"]["names"] == {
        "acl": [],
        "replicas": sorted([f"{svc}.t07", f"{svc}.new"]),  # a factor from none to one, and back
        "subject": [],
        "topic": sorted([f"{svc}.t03", f"{svc}.t05", f"{svc}.t07", f"{svc}.new"]),
    }
    assert scoped["resource_changes"] == full["resource_changes"]  # same entries as the full plan
    actions = {e["name"]: e["action"] for e in scoped["resource_changes"]}
    assert actions == {
        f"{svc}.t03": "update",
        f"{svc}.t05": "update",
        f"{svc}.t07": "delete",
        f"{svc}.new": "create",
    }

    result = kgov("apply", str(out), "--env", "local", "--catalog", str(cat), "--allow-delete")
    assert result.code == 0, result.output
    again = kgov("plan", "--env", "local", "--catalog", str(cat), "--detailed-exitcode", "--allow-delete")
    assert again.code == 0, again.output


def test_snapshot_then_plan_equals_the_plan_against_the_cluster(tmp_path: Path) -> None:
    svc = unique_service()
    cat = write_catalog(tmp_path / "c", {svc: [topic_doc(f"{svc}.a", 2), topic_doc(f"{svc}.b")]})
    assert kgov("apply", "--env", "local", "--catalog", str(cat), "--auto-approve").code == 0
    write_catalog(
        cat, {svc: [topic_doc(f"{svc}.a", 3, retention_ms="2d"), topic_doc(f"{svc}.c")]}
    )  # grows one, adds one, drops one
    snap = tmp_path / "state.json"
    taken = kgov("snapshot", "--env", "local", "--catalog", str(cat), "--out", str(snap))
    assert taken.code == 0, taken.output
    assert os.environ["KGOV_PASSWORD"] not in snap.read_text()
    offline = _plan(cat, tmp_path, "--snapshot", str(snap))
    catalog = checked_catalog(cat, "local")  # the live plan, of every kind (all are in snapshots)
    live = make_plan(catalog, "local", connect(catalog, "local"), allow_delete=True).to_json()
    assert offline["fingerprint"] == live["fingerprint"]
    # a live plan's deletes carry evidence from the cluster; a plan from a snapshot has none to ask
    assert offline["resource_changes"] == [
        {**e, "notes": [n for n in e["notes"] if not n.startswith(EVIDENCE)]}
        for e in live["resource_changes"]
    ]
    assert len(live["resource_changes"]) == 3
    # the offline plan applies (apply re-reads the cluster and finds it as the snapshot said)
    out = tmp_path / "offline.json"
    assert (
        kgov(
            "plan",
            "--env",
            "local",
            "--catalog",
            str(cat),
            "--snapshot",
            str(snap),
            "--out",
            str(out),
            "--allow-delete",
        ).code
        == 0
    )
    assert kgov("apply", str(out), "--env", "local", "--catalog", str(cat), "--allow-delete").code == 0
    # now the snapshot is stale: a plan from it is refused at apply
    assert (
        kgov(
            "plan",
            "--env",
            "local",
            "--catalog",
            str(cat),
            "--snapshot",
            str(snap),
            "--out",
            str(out),
            "--allow-delete",
        ).code
        == 0
    )
    refused = kgov("apply", str(out), "--env", "local", "--catalog", str(cat), "--allow-delete")
    assert refused.code == 1
    assert "the cluster changed" in refused.stderr and "nothing was applied" in refused.stderr
