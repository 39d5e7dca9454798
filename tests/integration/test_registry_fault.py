"""The registry killed (SIGKILL) in the middle of a schema apply: apply reports the outcome of
every entry and exits 1, and after the registry is back a new plan converges. (The sandbox's
registry keeps schemas in memory: a restart forgets them all, so the re-run registers everything
again, which is what convergence then means.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO, START_TIMEOUT, ThreeBrokers
from .test_subjects import Catalog, registry

SUBJECTS = 150


@pytest.fixture
def cluster3(sandbox3: ThreeBrokers, monkeypatch: pytest.MonkeyPatch) -> ThreeBrokers:
    """The three-broker sandbox and its own registry, so killing it disturbs no other test."""
    for name, value in sandbox3.env.items():
        monkeypatch.setenv(name, value)
    return sandbox3


def _schema(i: int) -> str:
    fields = [{"name": "id", "type": "string"}, {"name": f"f{i}", "type": "int", "default": 0}]
    return json.dumps({"type": "record", "name": f"R{i}", "namespace": "kgov.fault", "fields": fields})


def test_registry_killed_mid_apply_reports_every_entry_and_a_rerun_converges(
    tmp_path: Path, cluster3: ThreeBrokers
) -> None:
    cat = Catalog(tmp_path / "catalog")
    subjects = [cat.add(f"e{i:03d}", _schema(i)) for i in range(SUBJECTS)]
    saved = tmp_path / "plan.json"
    assert cat.plan("--out", str(saved)).code == 0
    box = cluster3.box
    pid = int(box.paths.pid_file("registry").read_text().split()[0])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kgov",
            "apply",
            str(saved),
            "--env",
            "local",
            "--catalog",
            str(cat.root),
            "--format",
            "json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # kill once the first subject is in
        if any(v is not None for v in registry().latest(subjects[:5]).values()):
            break
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=300)
    assert "Traceback" not in stderr, stderr
    results = json.loads(stdout)["results"]
    reported = [r["address"] for r in results if r["kind"] == "subject"]
    assert sorted(reported) == sorted(f"subject.{s}" for s in subjects)  # every entry, once
    assert proc.returncode == 1 and any(not r["ok"] for r in results), stdout[-2000:]
    assert all(r["error"] for r in results if not r["ok"])

    box.up(timeout=START_TIMEOUT)  # the registry comes back (empty: in-memory storage)
    assert cat.apply().code == 0
    again = cat.plan("--detailed-exitcode")
    assert again.code == 0, again.output
