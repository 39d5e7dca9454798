"""Shared by the test_cliio_* modules: a small catalog, a snapshot and a plan of it made with the
in-memory cluster, kgov run as a real process, and the check that hostile text never reaches an
output raw."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine import snapshot as snapshots
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.plan import planfile, snapshotfile
from tests.support import topic_doc, write_catalog

ROOT = Path(__file__).resolve().parents[3]

# A value a hostile pull request, plan file, snapshot or cluster could carry: a GitHub workflow
# command on a line of its own, a Markdown fence, an OSC 52 clipboard write, SGR, a bidi override,
# and rich markup that crashed kgov ('[/]').
HOSTILE = "x\n::error title=pwned::owned\n```\n\x1b]52;c;cHduZWQ=\x07\x1b[31m\u202e[/]\r~~~"


def assert_defused(text: str) -> None:
    """No line (after leading spaces, as GitHub's runner reads it) starts a workflow command or a
    Markdown fence, no terminal control or bidi character is written, no traceback."""
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\r"):
        assert bad not in text, (bad, text)
    for line in text.split("\n"):
        start = line.lstrip()
        assert not start.startswith(("::", "##", "```", "~~~")), (line, text)
    assert "Traceback" not in text and "internal error" not in text, text


def catalog(tmp_path: Path) -> Path:
    """A clean one-topic catalog (environment `local`; its connection is never used)."""
    return write_catalog(tmp_path / "catalog", {"orders": [topic_doc("orders.created")]})


def snapshot_of(root: Path, out: Path) -> Path:
    """A snapshot of `local` taken from an empty in-memory cluster."""
    taken, _ = snapshots.take(load_catalog(root).catalog, "local", Backends(kafka=MemoryCluster(brokers=1)))
    snapshotfile.save(taken, out, root)
    return out


def plan_file_of(root: Path, out: Path) -> Path:
    """A plan of `local` against an empty in-memory cluster (one topic to create), saved."""
    cluster = MemoryCluster(brokers=1)
    plan = make_plan(load_catalog(root).catalog, "local", Backends(kafka=cluster), allow_delete=False)
    planfile.save(plan, out, root)
    return out


def run_kgov(
    *args: str, cwd: Path, shell_redirect: str = "", buffered: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """`python -m kgov ARGS` as a real process, stderr captured; `shell_redirect` (e.g. `<&-`) is
    applied by sh first. Buffered output (no PYTHONUNBUFFERED), as in CI, unless told otherwise."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    command = ["sh", "-c", f'exec "$@" {shell_redirect}', "sh", sys.executable, "-m", "kgov", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False)
