"""Text from untrusted input made safe to print: control characters escaped, excerpts bounded.

Catalog files, file names and library error messages (PyYAML, fastavro, jsonschema) can carry
anything: ANSI escapes that rewrite a terminal, newlines that forge GitHub workflow commands,
bidi overrides that reorder what a reviewer reads, lone surrogates (a non-UTF-8 file name) that
make JSON or SARIF output invalid, or the content of a file that should never be shown. Every such
text goes through `printable` (and quoted file content through `excerpt`) before it is rendered.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, zero-width and bidi marks, line/paragraph separators, BOM, and lone
# surrogates (what Python makes of undecodable bytes in a file name). kgov.render.escape uses it too.
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

EXCERPT_CHARS = 60


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control, bidi or unpaired-surrogate character shown as an escape."""
    if text.isascii() and text.isprintable():  # nearly every name and value: no unsafe character
        return text
    return _UNSAFE.sub(_escape, text)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A printable excerpt of at most `limit` characters (plus an ellipsis) of untrusted text."""
    cut = text[:limit]
    shown = printable(cut)
    return shown + "…" if len(text) > limit else shown
