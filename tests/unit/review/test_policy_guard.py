"""`kgov diff` marks a kgov.yaml change that loosens a guard as attention: kgov.yaml comes with the
pull request, so a pull request could raise the capacity threshold, turn a rule off or rewrite a custom
rule that would judge it. Tightening stays safe; custom rules are shown field by field, in every
format (the JSON form once failed on them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.catalog.load import load_catalog
from kgov.review.model import ATTENTION, SAFE
from kgov.review.settings import settings_changes

RULE = """  custom_rules:
    - id: pii-retention
      severity: {severity}
      on: topic
      expr: 'topic.classification != "pii" || topic.config["retention.ms"] <= {limit}'
      message: 'pii topic {{name}} keeps data too long'
"""


def settings(policy: str = "", ownership: str = "") -> str:
    return (
        "version: 1\n"
        + (f"policy:\n{policy}" if policy else "")
        + (f"ownership:\n{ownership}" if ownership else "")
        + "environments:\n  prod:\n    kafka: {bootstrap_servers: 'k:9092'}\n"
    )


def changes(
    tmp_path: Path, base: str, head: str
) -> dict[str, tuple[str, str, list[tuple[str, object, object]]]]:
    found = {}
    for name, text in (("base", base), ("head", head)):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "kgov.yaml").write_text(text, encoding="utf-8")
    old = load_catalog(tmp_path / "base").catalog
    new = load_catalog(tmp_path / "head").catalog
    for c in settings_changes(new, old, lambda f: f):
        json.dumps([r.to_json() for r in c.rows])  # every row is JSON
        ((reason,),) = (c.reasons,)
        found[c.address] = (reason.level, reason.message, [(r.field, r.before, r.after) for r in c.rows])
    return found


@pytest.mark.parametrize(
    ("base", "head", "address", "level"),
    [
        ("  capacity: {max_bytes_at_retention: 10GiB}\n", "  capacity: {max_bytes_at_retention: 100GiB}\n",
         "settings.policy.capacity.max_bytes_at_retention", ATTENTION),
        ("  capacity: {max_bytes_at_retention: 10GiB}\n", "  capacity: {max_bytes_at_retention: 1GiB}\n",
         "settings.policy.capacity.max_bytes_at_retention", SAFE),
        ("  capacity: {max_bytes_at_retention: 10GiB}\n", "  partitions: {min: 1, max: 120}\n",
         "settings.policy.capacity.max_bytes_at_retention", ATTENTION),
        ("  capacity: {max_bytes_at_retention: 10GiB, on_exceed: block}\n",
         "  capacity: {max_bytes_at_retention: 10GiB, on_exceed: attention}\n",
         "settings.policy.capacity.on_exceed", ATTENTION),
        ("  capacity: {max_partitions_per_broker: 4000}\n", "  capacity: {max_partitions_per_broker: 9000}\n",
         "settings.policy.capacity.max_partitions_per_broker", ATTENTION),
        ("  min_insync_replicas: {min: 2}\n", "  min_insync_replicas: {min: 1}\n",
         "settings.policy.min_insync_replicas.min", ATTENTION),
        ("  min_insync_replicas: {min: 1}\n", "  min_insync_replicas: {min: 2}\n",
         "settings.policy.min_insync_replicas.min", SAFE),
        ("  rules: {unbounded-retention: warning}\n", "  rules: {unbounded-retention: 'off'}\n",
         "settings.policy.rules", ATTENTION),
        ("  rules: {unbounded-retention: 'off'}\n", "  rules: {unbounded-retention: error}\n",
         "settings.policy.rules", SAFE),
    ],
)  # fmt: skip
def test_loosening_a_policy_guard_needs_attention_tightening_is_safe(
    tmp_path: Path, base: str, head: str, address: str, level: str
) -> None:
    assert changes(tmp_path, settings(base), settings(head))[address][0] == level


def test_a_shorter_active_within_needs_attention(tmp_path: Path) -> None:
    found = changes(
        tmp_path, settings(ownership="  active_within: 7d\n"), settings(ownership="  active_within: 1h\n")
    )
    assert found["settings.ownership.active_within_ms"][0] == ATTENTION


def test_a_custom_rule_rewritten_or_removed_needs_attention_added_or_stricter_is_safe(tmp_path: Path) -> None:
    strict = settings(RULE.format(severity="error", limit=604800000))
    loose = settings(RULE.format(severity="warning", limit=6048000000))
    level, message, rows = changes(tmp_path / "a", strict, loose)[
        "settings.policy.custom_rules.pii-retention"
    ]
    assert level == ATTENTION and "severity" in message and "expr" in message
    assert ("policy.custom_rules.pii-retention.severity", "error", "warning") in rows
    assert (
        changes(tmp_path / "b", strict, settings())["settings.policy.custom_rules.pii-retention"][0]
        == ATTENTION
    )
    assert (
        changes(tmp_path / "c", settings(), strict)["settings.policy.custom_rules.pii-retention"][0] == SAFE
    )
    stricter = settings(RULE.format(severity="error", limit=6048000000))
    raised = changes(tmp_path / "d", settings(RULE.format(severity="warning", limit=6048000000)), stricter)
    assert raised["settings.policy.custom_rules.pii-retention"][0] == SAFE
