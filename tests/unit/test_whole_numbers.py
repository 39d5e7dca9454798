"""Values lint accepts are values apply can send: whole numbers where Kafka wants them, possible
replication factors, finite ratios; every refusal is a lint error at the value's position."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kgov.kafka_configs import ConfigValueError, normalize
from tests.support import kgov

REPO = Path(__file__).resolve().parents[2]


def _lint(tmp_path: Path, old: str, new: str) -> list[dict[str, object]]:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    orders = root / "topics" / "orders.yaml"
    text = orders.read_text("utf-8")
    assert old in text
    orders.write_text(text.replace(old, new, 1), "utf-8")
    result = kgov("lint", str(root), "--format", "json")
    assert result.code == 1, result.output
    diags: list[dict[str, object]] = json.loads(result.stdout)["diagnostics"]
    return [d for d in diags if str(d["file"]).endswith("topics/orders.yaml") and d["severity"] == "error"]


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ("    partitions: 6\n", "    partitions: 6.0\n", 7, "expected a whole number, got 6.0"),
        (
            "    replication_factor: 3\n",
            "    replication_factor: 3.0\n",
            8,
            "expected a whole number, got 3.0",
        ),
        ("    partitions: 6\n", "    partitions: true\n", 7, "expected a whole number, got true"),
        ("    replication_factor: 3\n", "    replication_factor: 0\n", 8, "below the minimum 1"),
        ("    replication_factor: 3\n", "    replication_factor: 40000\n", 8, "above the maximum 32767"),
        ("    partitions: 6\n", "    partitions: .nan\n", 7, "expected a whole number, got nan"),
        ("      retention.ms: 7d", "      min.cleanable.dirty.ratio: .nan", 11, "expected a finite number"),
        ("      retention.ms: 7d", "      min.cleanable.dirty.ratio: .inf", 11, "expected a finite number"),
        ("      retention.ms: 7d", "      retention.ms: 604800000.0", 11, "expected a whole number"),
        ("      min.insync.replicas: 2", "      min.insync.replicas: true", 12, "got true"),
        ("      retention.ms: 7d", "      retention.ms: " + "9" * 400, 11, "above the maximum"),
        ("      retention.ms: 7d", "      retention.ms: '" + "9" * 400 + "'", 11, "above the maximum"),
        ("      retention.ms: 7d", "      retention.ms: " + "9" * 400 + "d", 11, "retention.ms"),
    ],
)
def test_impossible_numbers_are_lint_errors_with_positions(
    tmp_path: Path, old: str, new: str, line: int, says: str
) -> None:
    errors = _lint(tmp_path, old, new)
    assert any(d["line"] == line and says in str(d["message"]) for d in errors), errors
    assert all("internal error" not in str(d["message"]) for d in errors)


def test_what_plan_sends_for_integer_configs_is_integral() -> None:
    assert normalize("retention.ms", "7d") == "604800000"
    assert normalize("min.insync.replicas", 2) == "2"
    for bad in (2.0, True, float("nan"), "1e3"):
        with pytest.raises(ConfigValueError):
            normalize("min.insync.replicas", bad)
    assert normalize("min.cleanable.dirty.ratio", 0.5) == "0.5"
    for ratio in (float("nan"), float("inf"), "nan", "-inf"):
        with pytest.raises(ConfigValueError) as info:
            normalize("min.cleanable.dirty.ratio", ratio)
        assert "finite" in str(info.value)
