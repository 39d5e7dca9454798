"""The kgov-lint pre-commit hook, run for real with `pre-commit try-repo` on a scratch platform repo.

try-repo on a local path clones it at HEAD; when tracked files have uncommitted changes it first
makes a temporary commit of them (and of staged files; untracked files are left out, so a new
.pre-commit-hooks.yaml must be at least staged). Each run pip-installs kgov into a fresh hook
environment in a temporary store (no reuse between runs), which needs PyPI and takes seconds to a
minute; hence two runs only: a good catalog passes, a bad one fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(),
    reason="needs git and a git checkout of kgov",
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="kgov test",
        GIT_AUTHOR_EMAIL="kgov@example.invalid",
        GIT_COMMITTER_NAME="kgov test",
        GIT_COMMITTER_EMAIL="kgov@example.invalid",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
    )
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _try_repo(platform: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "kgov-lint", "--all-files"],
        cwd=platform,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_manifest_declares_kgov_lint() -> None:
    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "kgov-lint"
    assert hook["entry"] == "kgov lint" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["files"] == "^catalog/"


def test_try_repo_passes_a_good_catalog_and_fails_a_bad_one(tmp_path: Path) -> None:
    env = _env(tmp_path)
    platform = tmp_path / "platform"
    platform.mkdir()
    shutil.copytree(REPO / "catalog", platform / "catalog")
    _git(platform, env, "init", "-q")
    _git(platform, env, "add", "-A")

    good = _try_repo(platform, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "kgov lint" in good.stdout and "Passed" in good.stdout

    acl = platform / "catalog" / "acls" / "orders.yaml"
    acl.write_text(acl.read_text("utf-8").replace("'${env:ORDERS_PASSWORD}'", "hunter2"), "utf-8")
    _git(platform, env, "add", "-A")

    bad = _try_repo(platform, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "literal-secret" in bad.stdout
    assert "catalog/acls/orders.yaml" in bad.stdout
    assert "hunter2" not in bad.stdout
