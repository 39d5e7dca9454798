"""policy.topic_name is compiled with RE2: a pattern from a pull request cannot hang lint, and a pattern
RE2 refuses is a lint error at the pattern's file:line:col."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from kgov.catalog.patterns import PatternError, compile_pattern
from tests.support import kgov

REPO = Path(__file__).resolve().parents[3]
DEFAULT = "'^(?P<service>[a-z][a-z0-9-]*)\\.(?P<event>[a-z][a-z0-9-]*)$'"


def _catalog(tmp_path: Path, pattern: str, topic: str | None = None) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    settings = root / "kgov.yaml"
    text = settings.read_text("utf-8")
    assert DEFAULT in text
    settings.write_text(text.replace(DEFAULT, pattern, 1), "utf-8")
    if topic is not None:
        orders = root / "topics" / "orders.yaml"
        orders.write_text(orders.read_text("utf-8").replace("name: orders.cancelled", f"name: {topic}", 1))
    return root


def _diagnostics(root: Path) -> list[dict[str, object]]:
    result = kgov("lint", str(root), "--format", "json")
    assert "Traceback" not in result.output and "internal error" not in result.output
    diags: list[dict[str, object]] = json.loads(result.stdout)["diagnostics"]
    return diags


def test_a_catastrophic_pattern_and_a_crafted_name_finish_fast(tmp_path: Path) -> None:
    """Hole: with Python's re this took 18 s for 30 letters, and doubled with each more."""
    crafted = "orders." + "a" * 40 + "!"
    root = _catalog(tmp_path, "'^([a-z.]+)+$'", topic=crafted)
    started = time.monotonic()
    diags = _diagnostics(root)
    assert time.monotonic() - started < 30  # a hang bound: backtracking would take hours here
    wanted = [d for d in diags if d["rule"] == "topic-name-pattern" and crafted[:40] in str(d["message"])]
    assert wanted and wanted[0]["line"] == 15


# The reason after kgov's words is RE2's own (its wording changes with RE2's releases): asserted
# only where kgov writes it (the length bound).
@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("'^(?P<service>[a-z]+)\\.(?!tmp)[a-z]+$'", ""),  # lookahead
        ("'^(?P<service>[a-z]+)\\.(?P=service)$'", ""),  # backreference by name
        ("'^(?P<service>[a-z]+\\.(?P<event>.+)$'", ""),  # unbalanced
        ("'" + "a" * 1001 + "'", "longer than 1000"),
    ],
)
def test_a_pattern_re2_refuses_is_an_error_at_the_pattern(tmp_path: Path, pattern: str, reason: str) -> None:
    diags = _diagnostics(_catalog(tmp_path, pattern))
    found = [d for d in diags if d["rule"] == "policy-settings"]
    assert found, diags
    assert str(found[0]["file"]).endswith("catalog/kgov.yaml")
    assert (found[0]["line"], found[0]["column"]) == (5, 3)  # policy.topic_name
    prefix = "policy.topic_name is not a valid regular expression: "
    message = str(found[0]["message"])
    assert message.startswith(prefix) and len(message) > len(prefix)  # with a reason
    assert reason in message


def test_named_groups_still_split_service_and_event() -> None:
    match = compile_pattern(r"^(?P<service>[a-z][a-z0-9-]*)\.(?P<event>[a-z][a-z0-9-]*)$").fullmatch("a-b.c")
    assert match is not None and match.groupdict() == {"service": "a-b", "event": "c"}


def test_a_huge_repetition_is_refused_not_compiled_forever() -> None:
    started = time.monotonic()
    with pytest.raises(PatternError) as info:
        compile_pattern("(((a{100}){100}){100})")
    assert time.monotonic() - started < 10  # a hang bound
    assert info.value.reason
