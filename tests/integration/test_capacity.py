"""Capacity on the sandbox (issue 22 part 2): the plan of a new topic with retention.bytes shows its
storage at retention in text and Markdown; a threshold in kgov.yaml blocks it or marks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import SETTINGS, topic_doc

from .kgovtest import kgov, unique_service, write_catalog

GIB = 2**30


@pytest.fixture(autouse=True)
def _uses_sandbox(sandbox: dict[str, str]) -> None:
    """Every test here needs the running sandbox."""


def _catalog(tmp_path: Path, svc: str, on_exceed: str | None = None) -> Path:
    policy = dict(SETTINGS["policy"])
    if on_exceed is not None:
        policy["capacity"] = {"max_bytes_at_retention": "10GiB", "on_exceed": on_exceed}
    # one broker: replication factor 1, so 12 partitions x RF 1 x 1 GiB
    return write_catalog(
        tmp_path / "catalog", {svc: [topic_doc(f"{svc}.big", 12, retention_bytes="1GiB")]}, policy=policy
    )


def test_plan_shows_the_storage_at_retention_and_the_threshold_blocks_or_marks(tmp_path: Path) -> None:
    svc = unique_service()
    cat = _catalog(tmp_path, svc)
    text = kgov("plan", "--env", "local", "--catalog", str(cat))
    assert text.code == 0, text.output
    assert "storage at retention: 12 partitions x RF 1 x 1.0 GiB = 12.0 GiB" in text.stdout
    # the one broker holds what the sandbox holds already, plus these 12
    assert "Capacity: +1 topic, +12 partitions, +≈12.0 GiB at retention; largest broker ≈" in text.stdout
    markdown = kgov("plan", "--env", "local", "--catalog", str(cat), "--format", "markdown")
    assert (
        r"Capacity: \+1 topic, \+12 partitions, \+≈12\.0 GiB at retention; largest broker ≈"
        in markdown.stdout
    )

    blocked = kgov("plan", "--env", "local", "--catalog", str(_catalog(tmp_path, svc, "block")))
    assert blocked.code == 1, blocked.output
    assert "12.0 GiB is above policy.capacity.max_bytes_at_retention (10.0 GiB)" in blocked.stdout

    cat = _catalog(tmp_path, svc, "attention")
    marked = kgov("plan", "--env", "local", "--catalog", str(cat))
    assert marked.code == 0, marked.output
    assert "attention: storage at retention 12.0 GiB is above" in marked.stdout
    applied = kgov("apply", "--env", "local", "--catalog", str(cat), "--auto-approve")
    assert applied.code == 0, applied.output
    again = kgov("plan", "--env", "local", "--catalog", str(cat))
    assert "No changes" in again.stdout and "Capacity:" not in again.stdout
