"""policy.custom_rules (kgov/policy/custom.py): CEL rules run by `kgov lint` like kgov's own, and a
broken rule (syntax, unbounded work, unknown field, wrong examples) is a positioned error, never a
traceback or a hang."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.support import kgov

PII_RULE = """\
    - id: pii-retention-7d
      severity: error
      on: topic
      expr: 'topic.classification != "pii" || topic.config["retention.ms"] <= 604800000'
      message: "pii topic {name} keeps data longer than 7 days"
      hint: set retention.ms to 7d or less
"""

TOPICS = """\
service: users
owner: team-users
topics:
  - name: users.registered
    description: A user registered.
    partitions: 3
    replication_factor: 3
    classification: pii
    config:
      min.insync.replicas: 2
      retention.ms: 30d
  - name: users.logged-in
    description: A user logged in.
    partitions: 3
    replication_factor: 3
    classification: pii
    config: {min.insync.replicas: 2, retention.ms: 3d}
  - name: users.clicked
    description: A user clicked.
    partitions: 3
    replication_factor: 3
    config: {min.insync.replicas: 2, retention.ms: 90d}
"""
RETENTION_LINE = 11  # users.registered's retention.ms: the line the finding points at


def _catalog(root: Path, rules: str, topics: str = TOPICS) -> Path:
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text("version: 1\npolicy:\n  custom_rules:\n" + rules)
    (root / "topics" / "users.yaml").write_text(topics)
    return root


def _rule(expr: str, extra: str = "") -> str:
    return (
        "    - id: my-rule\n      severity: error\n      on: topic\n"
        f"      expr: {json.dumps(expr)}\n      message: bad {{name}}\n{extra}"
    )


def test_the_pii_rule_flags_the_topic_at_its_retention_line_in_text(tmp_path: Path) -> None:
    root = _catalog(tmp_path, PII_RULE)
    result = kgov("lint", str(root))
    assert result.code == 1
    assert f"users.yaml:{RETENTION_LINE}:7" in result.stdout
    assert "pii topic users.registered keeps data longer than 7 days" in result.stdout
    assert "users.logged-in" not in result.stdout and "users.clicked" not in result.stdout


def test_the_pii_rule_in_sarif_carries_its_id_help_and_position(tmp_path: Path) -> None:
    result = kgov("lint", str(_catalog(tmp_path, PII_RULE)), "--format", "sarif")
    assert result.code == 1
    run = json.loads(result.stdout)["runs"][0]
    [found] = [r for r in run["results"] if r["ruleId"] == "pii-retention-7d"]
    assert found["locations"][0]["physicalLocation"]["region"]["startLine"] == RETENTION_LINE
    described = run["tool"]["driver"]["rules"][found["ruleIndex"]]
    assert described["id"] == "pii-retention-7d"
    assert "set retention.ms to 7d or less" in described["help"]["text"]


def test_the_pii_rule_as_a_github_annotation(tmp_path: Path) -> None:
    result = kgov("lint", str(_catalog(tmp_path, PII_RULE)), "--format", "github")
    assert result.code == 1
    assert f"line={RETENTION_LINE}," in result.stdout
    assert "title=pii-retention-7d::" in result.stdout


def test_policy_rules_lowers_or_turns_off_a_custom_rule(tmp_path: Path) -> None:
    root = _catalog(tmp_path, PII_RULE)
    settings = root / "kgov.yaml"
    settings.write_text(settings.read_text() + "  rules: {pii-retention-7d: warning}\n")
    lowered = kgov("lint", str(root))
    assert lowered.code == 0 and "warning" in lowered.stdout and "pii-retention-7d" in lowered.stdout
    (root / "kgov.yaml").write_text((root / "kgov.yaml").read_text().replace("warning}", "off}"))
    off = kgov("lint", str(root))
    assert off.code == 0 and "pii-retention-7d" not in off.stdout


def test_kgov_rules_lists_the_catalogs_custom_rules(tmp_path: Path) -> None:
    result = kgov("rules", str(_catalog(tmp_path, PII_RULE)))
    assert result.code == 0
    assert "pii-retention-7d" in result.stdout
    assert (
        'topic.config["retention.ms"] <= 604800000' in result.stdout
    )  # the expression, not the message twice
    hostile = PII_RULE.replace("set retention.ms", "\\e[31mset retention.ms").replace("hint: ", 'hint: "', 1)
    hostile = hostile.replace("7d or less\n", '7d or less"\n')
    shown = kgov("rules", str(_catalog(tmp_path / "hostile", hostile)))
    assert shown.code == 0 and "\x1b" not in shown.stdout and "\\x1b[31mset" in shown.stdout


def test_kgov_rules_markdown_documents_the_catalogs_rules_after_kgovs_own(tmp_path: Path) -> None:
    own = kgov("rules", str(tmp_path / "no-catalog"), "--format", "markdown")
    result = kgov(
        "rules", str(_catalog(tmp_path, PII_RULE.replace("{name}", "<b>{name}</b>"))), "--format", "markdown"
    )
    assert result.code == 0 and result.stdout.startswith(own.stdout.rstrip("\n"))
    extra = result.stdout[len(own.stdout.rstrip("\n")) :]
    assert "# The catalog's own rules (policy.custom_rules)" in extra
    assert "pii\\-retention\\-7d" in extra and "<b>" not in extra  # escaped: it comes from a pull request


@pytest.mark.parametrize(
    ("expr", "says"),
    [
        ("topic.name ==", "does not compile"),  # a syntax error
        ("topic.retention > 1", "no field 'retention'"),  # an unknown field
        ("env.HOME != ''", "does not compile"),  # no variable but the object: no environment
        # work that grows without bound: nested comprehensions (CEL has no other loop)
        (
            "["
            + ",".join(str(i) for i in range(50))
            + "].all(a, ["
            + ",".join(str(i) for i in range(50))
            + "].all(b, ["
            + ",".join(str(i) for i in range(50))
            + "].all(c, ["
            + ",".join(str(i) for i in range(50))
            + "].all(d, a + b + c + d >= 0))))",
            "custom rule 'my-rule'",
        ),
        ('topic.config["no.such.config"] > 1', "custom rule 'my-rule'"),  # raises at run time
        ("topic.name", "not a bool"),
    ],
)
def test_a_broken_rule_is_a_positioned_error_at_once(tmp_path: Path, expr: str, says: str) -> None:
    root = _catalog(tmp_path, _rule(expr))
    started = time.monotonic()
    result = kgov("lint", str(root))
    assert time.monotonic() - started < 10  # a hang check (measured: about 0.1 s)
    assert result.code == 1
    assert "Traceback" not in result.output
    assert "kgov.yaml:7:" in result.stdout  # the rule's expr line
    assert says in result.stdout


def test_a_rules_examples_are_a_self_test(tmp_path: Path) -> None:
    wrong = "      examples:\n        pass: [{partitions: 3}]\n        fail: [{partitions: 200}]\n"
    result = kgov("lint", str(_catalog(tmp_path, _rule("topic.partitions >= 100", wrong))))
    assert result.code == 1
    assert "example pass[0] does not pass" in result.stdout
    assert "bad users." not in result.stdout  # a broken rule judges nothing


def test_examples_that_agree_with_the_rule_let_it_judge(tmp_path: Path) -> None:
    right = "      examples:\n        pass: [{partitions: 200}]\n        fail: [{partitions: 3}]\n"
    result = kgov("lint", str(_catalog(tmp_path, _rule("topic.partitions >= 100", right))))
    assert result.code == 1
    assert "bad users.registered" in result.stdout and "does not" not in result.stdout


def test_scope_by_service(tmp_path: Path) -> None:
    scoped = _rule("topic.partitions > 3", "      services: [payments]\n")
    assert kgov("lint", str(_catalog(tmp_path, scoped))).code == 0


def test_a_broken_rule_among_others_leaves_them_judging(tmp_path: Path) -> None:
    rules = (
        PII_RULE
        + _rule('topic.config["no.such.config"] > 1')
        + _rule("topic.partitions > 3").replace("my-rule", "more-partitions")
    )
    result = kgov("lint", str(_catalog(tmp_path, rules)))
    assert result.code == 1
    assert "custom rule 'my-rule'" in result.stdout
    assert "pii topic users.registered keeps data longer than 7 days" in result.stdout
    assert result.stdout.count("more-partitions  bad users.") == 3


def test_rules_on_principals_and_subjects(tmp_path: Path) -> None:
    rules = _rule("principal.name.startsWith('User:svc-')").replace("on: topic", "on: principal") + _rule(
        "subject.topics.size() > 0"
    ).replace("my-rule", "subject-used").replace("on: topic", "on: subject")
    root = _catalog(tmp_path, rules)
    (root / "acls").mkdir()
    (root / "acls" / "users.yaml").write_text("service: users\nprincipal: User:users\n")
    (root / "schemas").mkdir()
    (root / "schemas" / "users.unused-value.avsc").write_text('{"type": "string"}\n')
    result = kgov("lint", str(root))
    assert "acls/users.yaml:2:" in result.stdout and "bad User:users" in result.stdout
    assert "subject-used  bad users.unused-value" in result.stdout


def test_a_comment_in_one_rule_does_not_swallow_the_next(tmp_path: Path) -> None:
    rules = _rule("topic.partitions > 0 // ] , true") + PII_RULE
    result = kgov("lint", str(_catalog(tmp_path, rules)))
    assert result.code == 1
    assert "pii topic users.registered keeps data longer than 7 days" in result.stdout
    assert "my-rule" not in result.stdout


def test_rules_over_many_objects_judged_in_batches_find_exactly_what_rule_by_rule_finds(
    tmp_path: Path,
) -> None:
    """Objects are judged BATCH at a time while every rule holds; a batch where one does not is judged
    object by object, so a lone offender deep in the catalog, a rule scoped to other services and a
    rule that fails on one object give the same findings as one evaluation per object and rule."""
    topics = "service: users\nowner: team-users\ntopics:\n" + "".join(
        f"  - name: users.t{i:03d}\n    description: T{i}.\n    partitions: {6 if i == 130 else 3}\n"
        f"    replication_factor: 3\n    config: {{min.insync.replicas: 2}}\n"
        + ("    classification: pii\n" if i == 77 else "")
        for i in range(200)
    )
    rules = (
        _rule("topic.partitions == 3")
        + _rule("topic.partitions < 5", "      services: [orders]\n").replace("my-rule", "orders-only")
        + _rule('topic.classification != "pii" || topic.config["nope.ms"] > 0').replace(
            "my-rule", "fails-once"
        )
    )
    result = kgov("lint", str(_catalog(tmp_path, rules, topics)), "--format", "json")
    found = sorted((d["rule"], d["message"]) for d in json.loads(result.stdout)["diagnostics"])
    assert found[0] == ("fails-once", found[0][1]) and "users.t077" in found[0][1]  # broken on t077 only
    assert found[1:] == [("my-rule", "bad users.t130")]  # orders-only: no orders topic
