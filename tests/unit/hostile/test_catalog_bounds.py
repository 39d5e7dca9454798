"""Issue 18, probe holes 9, 10 and 17: work that grew with a hostile catalog's size is bounded.

The bounds are generous (a hang check, not a speed test): each case took 23 s or more before."""

from __future__ import annotations

import random
import shutil
import string
import time
from pathlib import Path

from kgov.commands.lint import lint_catalog
from kgov.suggest import MAX_CANDIDATES, Budget, close_match

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "catalog"


def _names(rng: random.Random, n: int, length: int) -> list[str]:
    return ["orders." + "".join(rng.choice(string.ascii_lowercase) for _ in range(length)) for _ in range(n)]


def test_did_you_mean_over_many_long_names_is_bounded(tmp_path: Path) -> None:
    # 500 topics and 500 unknown `consumes` names of 200 characters, all with the same prefix: every
    # suggestion compared each name with each (39 s on this machine before the bound, 1.5 s after).
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    rng = random.Random(18)
    topics = _names(rng, 500, 193)
    with (root / "topics" / "orders.yaml").open("a", encoding="utf-8") as out:
        for name in topics:
            out.write(f"  - {{name: {name}, description: d, partitions: 6, replication_factor: 3,\n")
            out.write("     config: {min.insync.replicas: 2}}\n")
    acl = root / "acls" / "payments.yaml"
    unknown = ["orders.creatd", *_names(rng, 500, 193)]  # a real typo first: it still gets its hint
    text = acl.read_text("utf-8").replace("orders.created, orders.cancelled", ", ".join(unknown))
    acl.write_text(text, "utf-8")
    start = time.monotonic()
    report = lint_catalog(root)
    assert time.monotonic() - start < 10
    refs = [d for d in report.diagnostics if d.rule == "unknown-topic-reference"]
    assert len(refs) == len(unknown)
    assert any("'orders.creatd'" in d.message and "did you mean 'orders.created'?" in d.message for d in refs)


def test_a_suggestion_compares_a_bounded_number_of_bounded_names() -> None:
    rng = random.Random(9)
    candidates = [c * 10_000 for c in _names(rng, 5_000, 20)]  # 5,000 names of 270,000 characters
    start = time.monotonic()
    for _ in range(50):
        close_match(candidates[-1][:-1], candidates)
    assert time.monotonic() - start < 10
    assert close_match("retention.msec", ["retention.ms", "segment.ms"]) == "retention.ms"
    assert close_match("x" * 1000 + "yz", ["x" * 1000 + "y", "abc"]) == "x" * 1000 + "y"
    assert MAX_CANDIDATES < 5_000


def test_a_spent_budget_gives_no_more_suggestions() -> None:
    budget = Budget(12 * 12 * 2)
    assert close_match("orders.creatd", ["orders.created"], budget=budget) == "orders.created"
    assert close_match("orders.creatd", ["orders.created"], budget=budget) is None
