"""docs/architecture.md stays true: every repository path it names exists.

A path is a word starting with one of the repository's top folders (kgov/, tests/, docs/, ...) or
naming a root file (pyproject.toml). `<kind>`-style placeholders are left out; a `*` must match at
least one file. Moving a file then fails here until the map is updated.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"

_PATH = re.compile(r"(?<![\w./-])((?:kgov|tests|docs|benchmarks|scripts)/[\w./*<>-]*)")
_ROOT_FILES = ("pyproject.toml", "README.md")


def named_paths(text: str) -> list[str]:
    """The repository paths the text names, without trailing sentence punctuation."""
    found = [m.rstrip(".,;:)") for m in _PATH.findall(text)]
    return sorted({p for p in found if "<" not in p and ">" not in p})


def missing(paths: list[str]) -> list[str]:
    return [p for p in paths if not (any(ROOT.glob(p)) if "*" in p else (ROOT / p).exists())]


def test_every_path_named_in_the_architecture_doc_exists() -> None:
    text = DOC.read_text("utf-8")
    paths = named_paths(text)
    assert len(paths) > 50, "the path pattern found too little: is the doc or the pattern broken?"
    assert missing(paths) == [], "docs/architecture.md names paths that do not exist"
    for name in _ROOT_FILES:
        if name in text:
            assert (ROOT / name).exists(), name


def test_the_guard_sees_a_missing_path() -> None:
    named = named_paths("see kgov/plan/nowhere.py, and kgov/engine/apply.py.")
    assert missing(named) == ["kgov/plan/nowhere.py"]
    assert named_paths("kgov/kinds/<kind>/ and tests/corpus/*.yaml") == ["tests/corpus/*.yaml"]
