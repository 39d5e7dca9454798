"""Make text from a catalog, a cluster or a plan file safe to show: no control characters or
terminal escapes reach any output raw, and nothing breaks out of its place in Markdown."""

from __future__ import annotations

import html
import re

# C0/C1 controls, DEL, and the invisible or direction-changing characters that can hide text.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _show(match: re.Match[str]) -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return named.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def visible(value: object) -> str:
    """The value as one line of plain text, every unsafe character shown as an escape."""
    return _UNSAFE.sub(_show, "" if value is None else str(value))


def md_text(value: object) -> str:
    """Text for Markdown prose and table cells: HTML-escaped, Markdown punctuation backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(visible(value), quote=True))


def md_code(value: object) -> str:
    """A value as inline code that nothing in it can end early (no backtick spans)."""
    return f"<code>{md_text(value)}</code>"
