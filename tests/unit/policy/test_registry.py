"""The registry is complete and consistent, and docs/rules.md is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgov.catalog.load import RULE_FILES, RULE_STRUCTURE, RULE_YAML
from kgov.cli import app
from kgov.policy.docs import markdown
from kgov.policy.registry import get, rules

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rules.md"
KEBAB = re.compile(r"[a-z]+(-[a-z]+)*")


def test_docs_rules_md_is_up_to_date() -> None:
    assert DOCS.read_text("utf-8") == markdown(), (
        "docs/rules.md is out of date: run `kgov rules --format markdown > docs/rules.md`"
    )


def test_rules_markdown_command_prints_the_docs() -> None:
    result = CliRunner().invoke(app, ["rules", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout == markdown()


def test_rules_text_lists_every_rule() -> None:
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0
    for rule in rules():
        assert rule.id in result.stdout


def test_rules_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["rules", "--format", "html"])
    assert result.exit_code == 64
    assert "'html'" in result.output


def test_ids_are_unique_kebab_case_and_documented() -> None:
    ids = [r.id for r in rules()]
    assert len(ids) == len(set(ids))
    for rule in rules():
        assert KEBAB.fullmatch(rule.id), rule.id
        assert rule.name and rule.message and rule.hint and len(rule.doc) > 40, rule.id
        assert f'<a id="{rule.id}"></a>' in markdown()


def test_loader_rules_are_registered_without_a_check_and_not_configurable() -> None:
    for rule_id in (RULE_YAML, RULE_STRUCTURE, RULE_FILES):
        rule = get(rule_id)
        assert rule is not None and rule.check is None and not rule.configurable


def test_the_issue_rule_families_are_covered() -> None:
    ids = {r.id for r in rules()}
    wanted = {
        "topic-name-pattern", "topic-name-legal", "topic-name-collision", "service-owns-prefix",
        "file-name-service", "catch-all-topic", "duplicate-topic", "partitions-bounds",
        "replication-factor-bounds", "min-insync-replicas", "unknown-config", "invalid-config-value",
        "compacted-without-key", "state-topic-not-compacted", "unknown-topic-reference", "missing-schema",
        "invalid-schema", "consumed-not-produced", "unused-schema", "required-fields", "literal-secret",
        "pii-wildcard-read", "policy-settings",
    }  # fmt: skip
    assert wanted <= ids


def test_a_crashing_rule_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from kgov.catalog.load import load_catalog
    from kgov.policy import engine

    def boom(ctx: object) -> list[object]:
        raise RuntimeError("boom")

    broken = [replace(r, check=boom) if r.id == "duplicate-topic" else r for r in rules()]
    monkeypatch.setattr(engine, "rules", lambda: tuple(broken))
    monkeypatch.delenv("KGOV_DEBUG", raising=False)
    (tmp_path / "kgov.yaml").write_text("version: 1\n", "utf-8")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "x.avsc").write_text('"string"', "utf-8")
    found = {(d.rule, d.message.split(":")[0]) for d in engine.lint(load_catalog(tmp_path))}
    assert ("duplicate-topic", "internal error in rule duplicate-topic") in found
    assert ("unused-schema", "schema 'x' is used by no topic") in found
