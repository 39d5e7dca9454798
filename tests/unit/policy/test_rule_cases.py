"""Rule tests as data (sqlfluff style): every registry example and every case of rule_cases.yaml.

A case lays its files over the registry's minimal clean catalog (EXAMPLE_BASE), lints it, and checks
that the rule fires where it says (fail cases) or not at all (pass cases).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kgov.catalog.load import load_catalog
from kgov.diagnostics import Diagnostic
from kgov.policy import lint
from kgov.policy.registry import EXAMPLE_BASE, rules

CASES_FILE = Path(__file__).with_name("rule_cases.yaml")


def _cases() -> list[Any]:
    out = []
    for rule in rules():
        for i, ex in enumerate(rule.examples):
            case = {
                "rule": rule.id,
                "passes": ex.passes,
                "files": dict(ex.files),
                "line": ex.line,
                "file": ex.reported_in,
            }
            out.append(pytest.param(case, id=f"{rule.id}-example{i + 1}-{'pass' if ex.passes else 'fail'}"))
    data = yaml.safe_load(CASES_FILE.read_text("utf-8"))
    for i, case in enumerate(data["cases"]):
        case.setdefault("file", next(iter(case["files"])))
        name = case.get("name", str(i))
        out.append(pytest.param(case, id=f"{case['rule']}-{name}-{'pass' if case['passes'] else 'fail'}"))
    return out


def lay_out(root: Path, files: dict[str, str | None]) -> Path:
    for rel, text in {**EXAMPLE_BASE, **files}.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def run(root: Path, envs: list[str] | None = None) -> list[Diagnostic]:
    loaded = load_catalog(root)
    selected = None if envs is None else [loaded.catalog.settings.environments[e] for e in envs]
    return lint(loaded, selected)


def test_base_catalog_is_clean(tmp_path: Path) -> None:
    assert run(lay_out(tmp_path, {})) == []


def test_every_rule_has_a_failing_example() -> None:
    # A rule reported outside the engine (lint --base) is tested where it runs (test_lint_base.py).
    missing = [r.id for r in rules() if not r.reported_by and not any(not e.passes for e in r.examples)]
    assert missing == []


@pytest.mark.parametrize("case", _cases())
def test_rule_case(case: dict[str, Any], tmp_path: Path) -> None:
    files = {k: v for k, v in case["files"].items()}
    diags = run(lay_out(tmp_path, files), case.get("envs"))
    mine = [d for d in diags if d.rule == case["rule"]]
    if case["passes"]:
        assert mine == [], f"expected no {case['rule']}, got: {mine}"
        return
    expected = str(tmp_path / case["file"])
    where = [(d.location.file, d.location.line) for d in mine]
    wanted = f"{case['rule']} at {case['file']}:{case['line']}"
    assert (expected, case["line"]) in where, f"expected {wanted}, got {diags}"
    hit = next(d for d in mine if (d.location.file, d.location.line) == (expected, case["line"]))
    assert hit.hint, "every finding carries a hint"
    for text in case.get("message_has", []):
        assert text in hit.message
    for text in case.get("never_shows", []):
        assert all(text not in d.message and text not in (d.hint or "") for d in diags)
    if "severity" in case:
        assert hit.severity.value == case["severity"]
