"""Make text from a catalog, a cluster or a plan file safe to show: no control characters or
terminal escapes reach any output raw, and nothing breaks out of its place in Markdown."""

from __future__ import annotations

import html
import re

from kgov.sanitize import printable

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def visible(value: object) -> str:
    """The value as one line of plain text, every unsafe character shown as an escape (one list of
    unsafe characters for every output: kgov/sanitize.py)."""
    return printable("" if value is None else str(value))


def md_text(value: object) -> str:
    """Text for Markdown prose and table cells: HTML-escaped, Markdown punctuation backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(visible(value), quote=True))


def md_code(value: object) -> str:
    """A value as inline code that nothing in it can end early (no backtick spans)."""
    return f"<code>{md_text(value)}</code>"
