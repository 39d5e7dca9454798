"""The fast commands end with `exit_at_once` (os._exit, no interpreter tear-down): what they wrote
must still arrive, whole, through a pipe, where Python buffers it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import topic_doc, write_catalog

ROOT = Path(__file__).resolve().parents[2]
TOPICS = 5  # 2 KB of JSON: all of it waits in Python's buffer (8 KB) until the flush


def _broken_catalog(tmp_path: Path) -> Path:
    # an upper-case letter breaks the default name pattern: one located error per topic
    return write_catalog(tmp_path / "catalog", {"svc": [topic_doc(f"svc.Bad{i}") for i in range(TOPICS)]})


def test_buffered_output_arrives_before_the_process_ends(tmp_path: Path) -> None:
    catalog = _broken_catalog(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "kgov", "lint", str(catalog), "--format", "json"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},  # buffered, as in CI
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    diagnostics = json.loads(done.stdout)["diagnostics"]
    assert len(diagnostics) == TOPICS
    assert diagnostics[-1]["message"].startswith("topic name 'svc.Bad")
