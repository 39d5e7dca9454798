"""A table a kind lends the audit (kgov/kinds/tables.py) carries names from the cluster and the
catalog (principals, client ids): every format escapes them, none of them ends a Markdown table or
opens an HTML tag."""

from __future__ import annotations

import json

from kgov.audit.model import Audit
from kgov.kinds.tables import AuditTable
from kgov.render.formats import AUDIT

HOSTILE = "<script>x</script>|`a`\n## b"


def _doc() -> dict[str, object]:
    table = AuditTable(f"T {HOSTILE}", ("principal", f"c{HOSTILE}"), ((f"User:{HOSTILE}", HOSTILE),), HOSTILE)
    audit = Audit("local", "cluster", "2026-12-06T00:00:00+00:00", "0", tables=(("k", table),))
    return audit.to_json()  # type: ignore[return-value]


def test_json_keeps_the_table_as_data() -> None:
    doc = json.loads(AUDIT["json"](_doc()))
    [table] = doc["tables"]
    assert table["kind"] == "k" and table["rows"] == [[f"User:{HOSTILE}", HOSTILE]]
    assert table["columns"] == ["principal", f"c{HOSTILE}"] and table["note"] == HOSTILE


def test_markdown_escapes_every_cell_title_and_note() -> None:
    out = AUDIT["markdown"](_doc())
    assert "<script>" not in out and "\n## b" not in out
    row = next(line for line in out.splitlines() if line.startswith("| User:"))
    assert row.count(" | ") == 1  # two cells: the '|' inside them is escaped


def test_html_escapes_every_cell_title_and_note() -> None:
    out = AUDIT["html"](_doc())
    assert "<script>x" not in out
    assert out.count("&lt;script&gt;x&lt;/script&gt;") == 5  # title, column, two cells, note
