"""The lint renderers: text, JSON, SARIF 2.1.0 and GitHub annotations, from one Report."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from kgov.diagnostics import Diagnostic, Location, Severity
from kgov.policy.registry import rules
from kgov.policy.report import Report
from kgov.render import github, lint_json, lint_text, sarif


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.chdir(tmp_path)
    return Report(
        (
            Diagnostic(
                "topic-name-pattern",
                Severity.ERROR,
                "topic name 'a,b:c' does not match [x]",
                Location(str(tmp_path / "catalog/topics/a b.yaml"), 4, 5),
                "rename it",
            ),
            Diagnostic(
                "unused-schema",
                Severity.WARNING,
                "schema 'x' is used by no topic\n100%",
                Location("catalog/schemas/x.avsc", 1, 1),
            ),
        ),
        topics=3,
        services=2,
        schemas=1,
    )


def test_text_groups_by_file_and_summarises(report: Report) -> None:
    text = lint_text.render(report)
    assert "catalog/topics/a b.yaml\n  catalog/topics/a b.yaml:4:5  error   topic-name-pattern" in text
    assert "topic-name-pattern  topic name 'a,b:c' does not match [x]" in text  # brackets not markup
    assert "hint: rename it" in text
    assert text.rstrip().endswith("1 error, 1 warning in 2 files")


def test_text_clean_catalog() -> None:
    text = lint_text.render(Report((), topics=1, services=1, schemas=0))
    assert text == "✓ catalog is clean (1 topic, 1 service, 0 schemas)\n"


def test_text_colour_only_when_asked_and_messages_stay_plain(report: Report) -> None:
    plain, coloured = lint_text.render(report), lint_text.render(report, colour=True)
    assert "\x1b" not in plain
    assert "\x1b[1;31merror   \x1b[0m" in coloured
    # Stripping the styles gives the plain text back: colour adds nothing else.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"TERM": "dumb"}, True, False),
    ],
)
def test_colour_follows_the_terminal_and_the_conventions(
    env: dict[str, str], tty: bool, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = io.StringIO()
    stream.isatty = lambda: tty  # type: ignore[method-assign]
    assert lint_text.wants_colour(stream) is expected


def test_json_is_versioned_with_relative_paths(report: Report) -> None:
    doc = json.loads(lint_json.render(report))
    assert doc["version"] == 1
    assert doc["summary"]["errors"] == 1 and doc["summary"]["warnings"] == 1
    first = doc["diagnostics"][0]
    assert first["file"] == "catalog/topics/a b.yaml"
    assert (first["line"], first["column"], first["rule"]) == (4, 5, "topic-name-pattern")


def test_sarif_has_rules_from_the_registry_and_relative_uris(report: Report) -> None:
    doc = json.loads(sarif.render(report))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r.id for r in rules()]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert levels["unused-schema"] == "warning" and levels["yaml"] == "error"
    first, second = run["results"]
    assert driver["rules"][first["ruleIndex"]]["id"] == "topic-name-pattern"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "catalog/topics/a%20b.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4, "startColumn": 5}
    assert second["level"] == "warning"


def test_sarif_path_outside_the_working_directory_is_an_absolute_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    other = Report((Diagnostic("yaml", Severity.ERROR, "bad", Location("/elsewhere/k.yaml", 2, 3), "h"),))
    artifact = json.loads(sarif.render(other))["runs"][0]["results"][0]["locations"][0]
    assert artifact["physicalLocation"]["artifactLocation"] == {"uri": "file:///elsewhere/k.yaml"}


def test_github_annotations_escape_properties_and_data(report: Report) -> None:
    lines = github.render(report).splitlines()
    assert lines[0] == (
        "::error file=catalog/topics/a b.yaml,line=4,col=5,title=topic-name-pattern::"
        "topic name 'a,b:c' does not match [x]%0Ahint: rename it"
    )
    assert lines[1] == (
        "::warning file=catalog/schemas/x.avsc,line=1,col=1,title=unused-schema::"
        "schema 'x' is used by no topic\\n100%25"  # a newline in a message is shown escaped
    )
    assert lines[2] == "1 error, 1 warning in 2 files"
