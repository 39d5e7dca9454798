"""The HTML report in a real headless browser (Chromium from the OS packages), opened from disk."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kgov.audit.build import audit_cluster
from kgov.catalog.load import load_catalog
from kgov.kinds.base import Backends
from kgov.render import audit_html
from tests.unit.audit.test_audit_memory import REPO, _cluster

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (scripts/bootstrap installs the OS package)"
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1400,1000"]


def _chromium(*args: str) -> str:
    assert CHROMIUM is not None
    done = subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_report_renders_graph_and_matrix(tmp_path: Path) -> None:
    catalog = load_catalog(REPO / "catalog").catalog
    doc = audit_cluster(catalog, "local", Backends(kafka=_cluster(catalog))).to_json()
    page = tmp_path / "audit.html"
    page.write_text(audit_html.render(doc), "utf-8")
    dom = _chromium("--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    svg = re.search(r'<svg[^>]*id="flow".*?</svg>', dom, re.S)
    assert svg is not None
    assert svg.group(0).count("<rect") >= 15 and svg.group(0).count("<path") >= 20
    matrix = re.search(r'<table class="t" id="matrix">.*?</table>', dom, re.S)
    assert matrix is not None
    rows = matrix.group(0).count("<tr>") - 1  # the header row
    assert rows == min(100, len(doc["access_matrix"]["cells"]))  # the script drew page 1
    assert f"{len(doc['access_matrix']['cells'])} of {len(doc['access_matrix']['cells'])} rows" in dom
    assert "evil&lt;script&gt;" in dom and "<script>alert" not in dom  # shown, never run
    shot = tmp_path / "audit.png"
    _chromium(f"--screenshot={shot}", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
