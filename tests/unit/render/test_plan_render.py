from __future__ import annotations

from rich.console import Console

from kgov.render import plan_markdown, plan_text
from tests.unit.plan.test_planfile import _plan


def _text(doc: dict[str, object]) -> str:
    console = Console(width=200, record=True, color_system=None)
    plan_text.render(doc, console)  # type: ignore[arg-type]
    return console.export_text()


def test_text_shows_symbols_tables_and_summary() -> None:
    text = _text(_plan().to_json())
    assert "+ topic orders.c" in text
    assert "~ topic orders.a" in text
    assert "- topic orders.gone" in text
    assert "! topic orders.b" in text
    assert "retention.ms" in text and "(default) 604800000" in text
    assert "Plan: 1 to create, 1 to change, 1 to delete, 1 blocked." in text


def test_text_without_changes() -> None:
    doc = _plan().to_json()
    doc.update(actions=[], warnings=[], summary={"create": 0, "change": 0, "delete": 0, "blocked": 0})
    text = _text(doc)
    assert "No changes" in text and "Plan: 0 to create, 0 to change, 0 to delete." in text


def test_markdown_has_summary_table_and_details_per_resource() -> None:
    md = plan_markdown.render(_plan().to_json())
    assert "| topics | 1 | 1 | 1 | 1 |" in md
    assert md.count("<details>") == 4
    assert "⛔ BLOCKED topic <code>orders.b</code>" in md
    assert "| `partitions` | `3` | `6` |" in md
    assert "| `retention.ms` | `1` | *(default)* `604800000` |" in md
