"""An audit finding's remedy (`Violation.hint`): in the JSON (format 4), and in the Markdown and HTML
tables as a last column, escaped like every other value."""

from __future__ import annotations

import json
import re

from kgov.audit.model import Audit
from kgov.kinds.base import Violation
from kgov.render import audit_html, audit_markdown
from kgov.render.escape import md_text

HOSTILE = "set <script>alert(1)</script> | `x` **now**\nand [link](http://e)"


def _doc() -> dict[str, object]:
    audit = Audit(
        environment="prod",
        source="cluster",
        created_at="2026-12-06T00:00:00+00:00",
        kgov_version="0",
        violations=(
            Violation(
                "auto-create-topics",
                "broker",
                "broker.1",
                "clients create topics no one reviewed",
                "error",
                hint="set auto.create.topics.enable=false in server.properties",
            ),
            Violation("naming", "topic", "legacy", "does not match", "error"),
            Violation("x", "broker", "broker.2", "hostile", "warning", hint=HOSTILE),
        ),
    )
    doc = audit.to_json()
    assert isinstance(doc, dict)
    return json.loads(json.dumps(doc))  # as the renderers get it


def test_the_json_carries_the_hint_or_null() -> None:
    doc = _doc()
    assert doc["format_version"] == 5
    violations = doc["violations"]
    assert isinstance(violations, list)
    assert violations[0]["hint"] == "set auto.create.topics.enable=false in server.properties"
    assert violations[1]["hint"] is None
    assert set(violations[1]) == {"rule", "kind", "name", "message", "severity", "hint"}


def test_markdown_shows_the_remedy_as_a_last_column() -> None:
    text = audit_markdown.render(_doc())
    assert "| rule | resource | finding | severity | what to do |" in text
    remedy = md_text("set auto.create.topics.enable=false in server.properties")
    assert f"| error | {remedy} |" in text
    assert "| does not match | error |  |" in text  # no remedy: an empty cell


def test_markdown_escapes_the_remedy() -> None:
    text = audit_markdown.render(_doc())
    row = next(line for line in text.splitlines() if line.startswith("| x |"))
    assert "<script>" not in row and "&lt;script&gt;" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # the remedy's '|' cannot open a column
    assert "`x`" not in row and "**now**" not in row and "](http" not in row
    assert len([line for line in text.splitlines() if "alert" in line]) == 1  # no line break got in


def test_html_shows_and_escapes_the_remedy() -> None:
    page = audit_html.render(_doc())
    assert "<th>what to do</th>" in page
    assert "<td>set auto.create.topics.enable=false in server.properties" in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
