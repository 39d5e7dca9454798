"""The compiled first pass (kgov/catalog/fastcheck.py) never changes what lint reports: every corpus
case and random structural edits give the same diagnostics with the compiled check on or off."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from typer.testing import CliRunner

from kgov.catalog import fastcheck
from kgov.catalog.load import load_catalog, schema
from kgov.catalog.yamlpos import parse
from kgov.cli import app
from tests.unit.catalog.test_corpus import CASES, EXAMPLE, mutate
from tests.unit.test_fuzz_catalog import FUZZ, structural_edits

BIG_CASES = {"fifty-megabytes"}  # fails before any structure check; slow to write twice


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(fastcheck, "_seen", {})
    yield


def _lint_json(root: Path, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(fastcheck, "_seen", {})
    monkeypatch.setattr(fastcheck, "COMPILE_AFTER", -1 if compiled else 10**12)
    result = CliRunner().invoke(app, ["lint", str(root), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", [c for c in CASES if c["name"] not in BIG_CASES], ids=lambda c: c["name"])
def test_corpus_diagnostics_are_identical_with_the_compiled_check(
    case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    mutate(root, case["mutate"])
    detailed = _lint_json(root, compiled=False, monkeypatch=monkeypatch)
    compiled = _lint_json(root, compiled=True, monkeypatch=monkeypatch)
    assert detailed["diagnostics"]
    assert compiled == detailed


@FUZZ
@given(structural_edits())
def test_random_structural_edits_give_identical_diagnostics(files: dict[str, str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = Path(tmp) / "catalog"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        assert _lint_json(root, compiled=True, monkeypatch=mp) == _lint_json(
            root, compiled=False, monkeypatch=mp
        )


def test_the_compiled_check_accepts_exactly_the_files_jsonschema_accepts_in_the_example(fresh: None) -> None:
    check = {kind: fastcheck.compiled(kind) for kind in fastcheck.KINDS}
    for kind in fastcheck.KINDS:
        for path in sorted((EXAMPLE / kind).glob("*.yaml")):
            data = parse(path.read_text("utf-8")).data
            assert list(schema(kind).iter_errors(data)) == []
            check[kind](data)  # raises if the compiled check disagrees
            assert fastcheck.valid(kind, data, fastcheck.COMPILE_AFTER + 1)
            data["topics" if kind == "topics" else "produces"] = "not a list"
            assert not fastcheck.valid(kind, data, 1)
            assert list(schema(kind).iter_errors(data)) != []


def test_a_small_catalog_never_compiles_and_a_large_one_does(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalog(EXAMPLE)
    assert all(counter.check is None for counter in fastcheck._seen.values())
    monkeypatch.setattr(fastcheck, "COMPILE_AFTER", 10)
    load_catalog(EXAMPLE)
    assert fastcheck._seen["topics"].check is not None and fastcheck._seen["acls"].check is not None
    assert "kgov" not in fastcheck._seen  # one file per catalog: never compiled
