"""Issue 18, probe holes 9, 10 and 17: work that grew with a hostile catalog's size is bounded
(suggestions, protected patterns, diagnostics per file, files and bytes per load).

The bounds are generous (a hang check, not a speed test): each case took 23 s or more before."""

from __future__ import annotations

import random
import shutil
import string
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgov.catalog import files
from kgov.catalog.load import load_catalog
from kgov.catalog.messages import MAX_FILE_DIAGNOSTICS
from kgov.catalog.patterns import MAX_PROTECTED
from kgov.cli import app
from kgov.commands.lint import lint_catalog
from kgov.errors import ConfigError
from kgov.kinds.ownership import is_protected
from kgov.kinds.user.users import owned_user
from kgov.policy.engine import MAX_FINDINGS_PER_FILE
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
    assert len(refs) == MAX_FINDINGS_PER_FILE + 1  # the rest counted in the last one
    more = f"and {len(unknown) - MAX_FINDINGS_PER_FILE} more unknown-topic-reference findings"
    assert sum(more in d.message for d in refs) == 1
    assert any("'orders.creatd'" in d.message and "did you mean 'orders.created'?" in d.message for d in refs)


def test_a_suggestion_compares_a_bounded_number_of_bounded_names() -> None:
    rng = random.Random(9)
    candidates = [c * 1_000 for c in _names(rng, 1_000, 20)]  # 1,000 names of 27,000 characters
    start = time.monotonic()
    for _ in range(50):
        close_match(candidates[-1][:-1], candidates)
    assert time.monotonic() - start < 10
    assert close_match("retention.msec", ["retention.ms", "segment.ms"]) == "retention.ms"
    assert close_match("x" * 1000 + "yz", ["x" * 1000 + "y", "abc"]) == "x" * 1000 + "y"
    assert MAX_CANDIDATES < 1_000


def test_a_spent_budget_gives_no_more_suggestions() -> None:
    budget = Budget(12 * 12 * 2)
    assert close_match("orders.creatd", ["orders.created"], budget=budget) == "orders.created"
    assert close_match("orders.creatd", ["orders.created"], budget=budget) is None


def _protect(root: Path, patterns: list[str]) -> None:
    settings = root / "kgov.yaml"
    listed = ", ".join(f"'{p}'" for p in patterns)
    text = settings.read_text("utf-8").replace("protected: ['__*', '_*']", f"protected: [{listed}]")
    settings.write_text(text, "utf-8")


def test_too_many_protected_patterns_are_a_lint_error_and_plan_refuses_at_once(tmp_path: Path) -> None:
    # 50,000 patterns made plan take 24-36 s (fnmatch's cache thrashed); now lint refuses them at their
    # position, so plan stops before it connects.
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    _protect(root, [f"legacy-{i}-*" for i in range(50_000)])
    start = time.monotonic()
    report = lint_catalog(root)
    result = CliRunner().invoke(app, ["plan", "--env", "local", "--catalog", str(root)])
    assert time.monotonic() - start < 10
    found = [d for d in report.diagnostics if d.rule == "structure" and d.location.file.endswith("kgov.yaml")]
    assert [(d.location.line, "50000 items" in d.message, "1000" in d.message) for d in found] == [
        (13, True, True)
    ]
    assert result.exit_code == 1 and "nothing was planned" in result.output


def test_a_protected_pattern_longer_than_a_topic_name_is_a_lint_error(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    _protect(root, ["__*", "x" * 250 + "*"])
    found = [d for d in lint_catalog(root).diagnostics if d.rule == "structure"]
    assert [(d.location.line, "249" in d.message) for d in found] == [(13, True)]


def test_protected_patterns_are_matched_as_one_compiled_pattern() -> None:
    patterns = ("__*", *(f"legacy-{i}-*" for i in range(MAX_PROTECTED)))
    names = [f"orders.event-{i}" for i in range(20_000)] + ["legacy-999-x", "__consumer_offsets"]
    start = time.monotonic()
    hits = [n for n in names if is_protected(n, patterns)]
    assert time.monotonic() - start < 10
    assert hits == ["legacy-999-x", "__consumer_offsets"]
    assert not owned_user("legacy-3-app", ["legacy"], patterns[1:], None)  # protected: never deleted
    assert owned_user("legacy-app", ["legacy"], patterns[1:], None)


def test_a_plan_scope_with_more_protected_patterns_than_lint_allows_is_refused() -> None:
    # A plan file repeats the list in its scope: apply holds it to the same bound, with a message.
    with pytest.raises(ConfigError, match=r"ownership\.protected"):
        is_protected("x", tuple(f"p{i}*" for i in range(MAX_PROTECTED + 2)))


def test_unknown_keys_past_the_cap_are_counted_not_described(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    keys = "".join(f"unknown_key_{i:06d}: value\n" for i in range(20_000))
    (root / "topics" / "extra.yaml").write_text(f"service: extra\nowner: o\ntopics: []\n{keys}", "utf-8")
    start = time.monotonic()
    loaded = load_catalog(root)
    assert time.monotonic() - start < 10
    mine = [d for d in loaded.diagnostics if d.location.file.endswith("extra.yaml")]
    assert len(mine) == MAX_FILE_DIAGNOSTICS + 1
    assert mine[0].location.line == 4 and "unknown_key_000000" in mine[0].message
    more = 20_000 - MAX_FILE_DIAGNOSTICS
    assert mine[-1].message == f"and {more} more structure problems in this file, not listed"


def test_a_load_reads_a_bounded_total_of_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    for i in range(5):  # each 300 KiB, legal on its own: the third goes past a 1 MiB total
        (root / "topics" / f"big{i}.yaml").write_text("#" * 300 * 1024 + f"\nservice: big{i}\n", "utf-8")
    monkeypatch.setattr(files, "MAX_TOTAL_BYTES", 1024 * 1024)
    found = [d for d in load_catalog(root).diagnostics if d.rule == "files"]
    where = [(Path(d.location.file).name, d.location.line) for d in found]
    assert where == [("big3.yaml", 1), ("catalog", 1)]
    assert "not read" in found[0].message and "1 MiB" in found[0].message
    assert found[1].message.startswith("and ") and "more catalog files not read" in found[1].message


def test_a_folder_of_too_many_files_is_one_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    monkeypatch.setattr(files, "MAX_FILES", 20)
    for i in range(30):
        (root / "schemas" / f"extra{i}-value.avsc").write_text('"string"', "utf-8")
    found = [d for d in load_catalog(root).diagnostics if d.rule == "files"]
    assert [(Path(d.location.file).name, "more than 20 entries" in d.message) for d in found] == [
        ("schemas", True)
    ]


def test_a_rule_lists_a_bounded_number_of_findings_per_file(tmp_path: Path) -> None:
    # 21,000 topics with three unknown configs each (5 MiB) gave 63,555 diagnostics in 13 s.
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    rng = random.Random(17)
    lines = ["service: extra", "owner: team-extra", "topics:"]
    for i in range(3_000):
        typo = "".join(rng.choice(string.ascii_lowercase) for _ in range(40))
        lines.append(
            f"  - {{name: extra.e{i}, description: d, partitions: 6, replication_factor: 3,"
            f" config: {{min.insync.replicas: 2, {typo}: 1}}}}"
        )
    (root / "topics" / "extra.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    start = time.monotonic()
    report = lint_catalog(root)
    assert time.monotonic() - start < 10
    unknown = [d for d in report.diagnostics if d.rule == "unknown-config"]
    assert len(unknown) == MAX_FINDINGS_PER_FILE + 1
    more = f"and {3_000 - MAX_FINDINGS_PER_FILE} more unknown-config findings"
    assert sum(more in d.message for d in unknown) == 1
