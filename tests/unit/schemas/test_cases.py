"""The compatibility cases of cases.yaml, each at its level, and the Avro reasons against the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from kgov.schemas.avro_compat import _Walk
from kgov.schemas.avro_parse import parse_avro
from kgov.schemas.check import check
from kgov.schemas.model import Level, Schema

CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text())
ALL = [(fmt, case) for fmt, cases in CASES.items() for case in cases]


@pytest.mark.parametrize(("fmt", "case"), ALL, ids=[f"{fmt}:{c['name']}" for fmt, c in ALL])
def test_case(fmt: str, case: dict[str, Any]) -> None:
    old = [(f"v{i}", Schema(fmt, text, f"old{i}")) for i, text in enumerate(case["old"], 1)]
    verdict = check(Schema(fmt, case["new"], "new"), old, Level(case["level"]))
    messages = [b.message() for b in verdict.breaking]
    assert verdict.compatible is case["compatible"], messages
    for fragment in case.get("says", []):
        assert any(fragment in m for m in messages), (fragment, messages)


AVRO_PAIRS = [
    (case["name"], new, old) for case in CASES["avro"] for old in case["old"] for new in [case["new"]]
]


@pytest.mark.parametrize(("name", "a", "b"), AVRO_PAIRS, ids=[p[0] for p in AVRO_PAIRS])
def test_reasons_agree_with_library_both_ways(name: str, a: str, b: str) -> None:
    left, right = parse_avro(Schema("avro", a, "a")), parse_avro(Schema("avro", b, "b"))
    for reader, writer in ((left, right), (right, left)):
        library = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
        walked = list(_Walk().check(reader, writer, ""))
        assert (library.compatibility is SchemaCompatibilityType.compatible) == (not walked), walked
