"""The repository's own files, for tests that read "every X file in the repository".

Only what git tracks (`git ls-files`): never the sandboxes' data under .kgov/ (a broker deletes
files there while the suite runs), virtual environments, caches, or a developer's scratch files.
Where git is missing or the tree is not a checkout (an unpacked source archive), the project's own
folders below are walked instead, skipping every hidden folder but .github and every cache.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Where the project keeps files (the fallback's walk), and the top-level files beside them.
PROJECT_FOLDERS = (".github", "action", "benchmarks", "catalog", "docs", "kgov", "scripts", "tests")
_SKIPPED = {"__pycache__", "node_modules", "build", "dist"}


def tracked_files(*patterns: str) -> list[Path]:
    """The repository's files whose name matches one of `patterns` (fnmatch, e.g. '*.yaml'),
    sorted; files git tracks but the working tree no longer has are left out."""
    listed = _git_ls_files()
    if listed is None:
        listed = _walk()
    return sorted(
        path
        for path in (REPO / name for name in listed)
        if any(fnmatch.fnmatch(path.name, p) for p in patterns) and path.is_file()
    )


def _git_ls_files() -> list[str] | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git on this machine
    if done.returncode != 0:
        return None  # not a checkout (or one git refuses to read)
    return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def _walk() -> list[str]:
    found = [p.name for p in REPO.iterdir() if p.is_file()]
    for folder in PROJECT_FOLDERS:
        for here, dirs, files in os.walk(REPO / folder):
            # Pruned before they are entered: hidden folders (but .github) and caches.
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED and (d == ".github" or d[:1] != "."))
            found += [(Path(here) / name).relative_to(REPO).as_posix() for name in sorted(files)]
    return found
