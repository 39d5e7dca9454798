from __future__ import annotations

from typing import Any

from rich.console import Console

from kgov.render import plan_markdown, plan_text
from tests.unit.plan.test_planfile import sample_plan


def text_of(doc: dict[str, Any]) -> str:
    console = Console(width=200, record=True, color_system=None)
    plan_text.render(doc, console)
    return console.export_text()


def test_text_shows_symbols_tables_and_summary() -> None:
    text = text_of(sample_plan().to_json())
    assert "+ topic orders.c" in text
    assert "~ topic orders.a" in text
    assert "- topic orders.gone" in text
    assert "! topic orders.b" in text
    assert "config.retention.ms" in text and "(default) 604800000" in text
    assert "3  (blocked)" in text
    assert "Plan: 1 to create, 1 to change, 1 to delete, 1 blocked." in text
    assert "(0 broker settings, 3 topics, 0 SCRAM users, 0 ACL bindings in the catalog)" in text


def test_text_without_changes() -> None:
    doc = sample_plan().to_json()
    doc.update(resource_changes=[], warnings=[], totals={"create": 0, "update": 0, "delete": 0, "blocked": 0})
    text = text_of(doc)
    assert "No changes" in text and "Plan: 0 to create, 0 to change, 0 to delete." in text


def test_markdown_has_a_summary_row_per_kind_and_details_per_resource() -> None:
    md = plan_markdown.render(sample_plan().to_json())
    assert "| topics | 1 | 1 | 1 | 1 |" in md
    assert md.count("<details>") == 4
    assert "⛔ BLOCKED topic <code>orders\\.b</code>" in md
    assert "| <code>partitions</code> | <code>3</code> | <code>6</code> |" in md
    assert (
        "| <code>config\\.retention\\.ms</code> | <code>1</code> | *(default)* <code>604800000</code> |" in md
    )


def _hostile_doc() -> dict[str, Any]:
    doc = sample_plan().to_json()
    entry = doc["resource_changes"][0]
    entry["changes"][0]["after"] = "0:1\n\n**Reviewed, all good**\n<!--"
    entry["name"] = "x`</code></summary>\x1b[2J"
    doc["warnings"] = ["| a | b |\n# heading"]
    return doc


def test_markdown_escapes_every_value_so_nothing_breaks_out_of_its_place() -> None:
    md = plan_markdown.render(_hostile_doc())
    assert "\n\n**Reviewed" not in md and "<!--" not in md
    assert "**Reviewed" not in md  # the asterisks are escaped
    assert "\x1b" not in md and "</code></summary>\\x1b" not in md
    assert "\n# heading" not in md
    # every details block is still closed: nothing after it was swallowed
    assert md.count("<details>") == md.count("</details>") == 4


def test_text_never_prints_control_characters_raw() -> None:
    text = text_of(_hostile_doc())
    assert "\x1b" not in text
    assert "\\x1b[2J" in text
