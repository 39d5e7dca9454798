"""An unknown field in any mapping of any catalog file is reported, never a crash.

Files with only unknown-field errors are still built into the model (see load.py), so every
builder must read known keys only; this sweep puts an unknown key into every mapping of the
example catalog, one at a time.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kgov.catalog.load import load_catalog
from kgov.policy import lint

REPO = Path(__file__).resolve().parents[3]
FILES = sorted(p.relative_to(REPO / "catalog") for p in (REPO / "catalog").rglob("*.yaml"))


def _mappings(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        yield path
        for key, value in node.items():
            yield from _mappings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _mappings(value, (*path, index))


def _cases() -> Iterator[tuple[Path, tuple[Any, ...]]]:
    for rel in FILES:
        for path in _mappings(yaml.safe_load((REPO / "catalog" / rel).read_text())):
            yield rel, path


# Mappings whose keys are names, not fields (topic and broker config names, rule ids, environments):
# any key is allowed there, and checked by other rules.
OPEN = {"config", "rules", "environments", "settings", "brokers"}  # a cluster file: configs, broker ids
CASES = [c for c in _cases() if not (c[1] and c[1][-1] in OPEN) and "config" not in c[1]]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("base") / "catalog"
    shutil.copytree(REPO / "catalog", root)
    return root


@pytest.mark.parametrize("rel, path", CASES, ids=[f"{r}:{'.'.join(map(str, p)) or '/'}" for r, p in CASES])
def test_unknown_key_with_null_value(tmp_path: Path, base: Path, rel: Path, path: tuple[Any, ...]) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(base, root)
    data = yaml.safe_load((root / rel).read_text())
    node = data
    for step in path:
        node = node[step]
    node[""] = None
    (root / rel).write_text(yaml.safe_dump(data, sort_keys=False))
    diagnostics = lint(load_catalog(root))
    unknown = [d for d in diagnostics if d.rule == "structure" and "unknown field" in d.message]
    assert unknown and all(d.location.file == str(root / rel) for d in unknown)
    assert not any("internal error" in d.message for d in diagnostics)
