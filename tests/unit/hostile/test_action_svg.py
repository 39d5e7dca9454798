"""Hole 16: names with line breaks, ESC or bidi overrides reach the audit's SVG cleaned (shown as
escapes), not only XML-escaped, in both the tooltip (<title>) and the box label (<text>)."""

from __future__ import annotations

import re

from kgov.render import audit_html
from kgov.render.audit_svg import render_svg

HOSTILE = "User:evil\nline\x1b[31mred\u202etxt.exe\u2066x\u200f"


def _graph(name: str) -> dict[str, object]:
    return {
        "nodes": [
            {"id": "p", "kind": "principal", "name": name},
            {"id": "t", "kind": "topic", "name": "orders\x1b]52;c;aGk=\x07.a"},
        ],
        "edges": [{"source": "p", "target": "t", "relation": "produces"}],
    }


def _unsafe(text: str) -> list[str]:
    return re.findall(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", text)


def test_svg_names_are_cleaned_in_title_and_label() -> None:
    svg, hidden = render_svg(_graph(HOSTILE))
    assert hidden == 0
    assert _unsafe(svg) == []
    titles = re.findall(r"<title>(.*?)</title>", svg)
    labels = re.findall(r"<text x=\"\d+\" y=\"[\d.]+\">(.*?)</text>", svg)
    assert "principal User:evil\\nline\\x1b[31mred\\u202etxt.exe\\u2066x\\u200f" in titles
    assert "topic orders\\x1b]52;c;aGk=\\x07.a" in titles
    assert any(label.startswith("User:evil\\nline\\x1b[31m") for label in labels)


def test_the_audit_page_carries_no_control_or_bidi_character() -> None:
    doc = {
        "environment": "dev",
        "source": "catalog",
        "created_at": "2026-12-05T00:00:00Z",
        "kgov_version": "0",
        "summary": dict.fromkeys(("drift", "unmanaged", "violations", "principals", "topics", "cells"), 0),
        "data_flow": _graph(HOSTILE),
        "access_matrix": {"cells": []},
        "drift": [],
        "unmanaged": [],
        "violations": [],
        "warnings": [],
    }
    page = audit_html.render(doc)
    # the page's own markup has newlines between parts; no other control character may appear
    assert [c for c in _unsafe(page) if c != "\n"] == []
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert _unsafe(svg) == []
