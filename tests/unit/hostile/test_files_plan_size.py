"""Hole 17 of issue 18 (plan files): a big plan file is refused after cheap checks, not after
seconds of validation: its size before a byte is read, then its JSON's shape by a compiled check
that stops at the first problem (jsonschema took 8 s of CPU over 30 MB full of problems)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kgov.errors import PlanError
from kgov.plan import planfile
from tests.support import kgov, topic_doc, write_catalog
from tests.unit.plan.test_planfile import sample_plan


def test_a_30_mb_plan_full_of_problems_is_refused_in_bounded_time(tmp_path: Path) -> None:
    doc = sample_plan().to_json()
    entry = {**doc["resource_changes"][0], "action": "explode"}
    doc["resource_changes"] = [entry] * 58_000
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))  # the C encoder: indent= would be slow
    assert path.stat().st_size > 30 * 2**20
    started = time.process_time()
    with pytest.raises(PlanError) as refused:
        planfile.load(path)
    spent = time.process_time() - started
    assert "at resource_changes/0/action:" in refused.value.message
    assert spent < 4.0, f"{spent:.1f} s of CPU to refuse a 30 MB plan"  # about 0.8 s; 8 s before


def test_a_plan_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    with path.open("wb") as sparse:  # a sparse file: no disk used, and reading it would take long
        sparse.truncate(planfile.MAX_PLAN_BYTES * 8)
    catalog = write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.created")]})
    started = time.monotonic()
    result = kgov("apply", str(path), "--env", "local", "--catalog", str(catalog))
    assert result.code == 1 and "larger than 256 MiB" in result.output, result.output
    assert time.monotonic() - started < 10  # reading 2 GiB of zeros first would take longer
