"""Issue 18: `kgov apply --env local <&-` (standard input closed, as some CI runners start jobs)
crashed with "'NoneType' object has no attribute 'isatty'". On the sandbox: it refuses without
--auto-approve and creates nothing; with --auto-approve it applies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import topic_doc

from .kgovtest import admin, unique_service, write_catalog

ROOT = Path(__file__).resolve().parents[2]


def _apply_with_stdin_closed(catalog: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", sys.executable, "-m", "kgov",
         "apply", "--env", "local", "--catalog", str(catalog), *extra],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def test_apply_with_stdin_closed_refuses_then_applies_with_auto_approve(
    sandbox: dict[str, str], tmp_path: Path
) -> None:
    svc = unique_service()
    catalog = write_catalog(tmp_path / "catalog", {svc: [topic_doc(f"{svc}.t01")]})
    refused = _apply_with_stdin_closed(catalog)
    assert refused.returncode == 1, refused.stderr
    assert "refusing to apply" in refused.stderr and "Traceback" not in refused.stderr
    assert f"{svc}.t01" not in admin().list_topics(timeout=30).topics
    applied = _apply_with_stdin_closed(catalog, "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert f"{svc}.t01" in admin().list_topics(timeout=30).topics
