"""Text from untrusted input made safe to print: control characters escaped, excerpts bounded.

Catalog files, file names and library error messages (PyYAML, fastavro, jsonschema) can carry
anything: ANSI escapes that rewrite a terminal, newlines that forge GitHub workflow commands,
bidi overrides that reorder what a reviewer reads, lone surrogates (a non-UTF-8 file name) that
make JSON or SARIF output invalid, or the content of a file that should never be shown. Every such
text goes through `printable` (and quoted file content through `excerpt`) before it is rendered.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO, cast

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


# What a CI log or a Markdown reader takes for markup at the start of a line, even after spaces:
# GitHub's workflow commands (`::error …`, `::add-mask::`; `##[…]` the older form, `##vso[` Azure's)
# and a code fence (``` or ~~~) that ends the block quoting kgov's output in a pull-request comment.
_MARKUP_LINE = re.compile(r"^([ \t]*)(::|##|```|~~~)", re.MULTILINE)


def _defuse(match: re.Match[str]) -> str:
    lead, mark = match.groups()
    return f"{lead}\\x{ord(mark[0]):02x}{mark[1:]}"  # `::error` is shown as `\x3a:error`


def safe_lines(text: str) -> str:
    """`text` with no line that a CI runner or Markdown would read as a command or a fence.

    Values are `printable` (no newline of their own), so only a value at the start of one of
    kgov's lines could begin one: its first character is shown as an escape instead."""
    return _MARKUP_LINE.sub(_defuse, text)


class GuardedStream:
    """sys.stdout or sys.stderr (looked up at each write, as `print` does) with every line passed
    through `safe_lines`: the one path of kgov's rich consoles to a terminal or a CI log, so that no
    message that starts a line with a file name or a value can start a command or end a fence."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._line_start = True  # the next character written begins a line

    def _stream(self) -> TextIO | None:
        stream: TextIO | None = getattr(sys, self._name)  # None when the caller closed the descriptor
        # While a rich spinner runs, sys.stdout/stderr are rich's proxies that print through the
        # console again: write to the stream they stand for, as rich's own Console does.
        return getattr(stream, "rich_proxied_file", stream)

    def write(self, text: str) -> int:
        stream = self._stream()
        if not text or stream is None:
            return len(text)
        if self._line_start:
            guarded = safe_lines(text)
        else:  # the first line continues one already begun
            head, newline, rest = text.partition("\n")
            guarded = head + newline + safe_lines(rest)
        self._line_start = text.endswith("\n")
        stream.write(guarded)
        return len(text)

    def flush(self) -> None:
        stream = self._stream()
        if stream is not None:
            stream.flush()

    def __getattr__(self, name: str) -> object:  # isatty, fileno, encoding: the real stream's
        if name == "rich_proxied_file":  # rich would write there directly, past the guard
            raise AttributeError(name)
        return getattr(self._stream(), name)


def guarded(name: str) -> TextIO:
    """A GuardedStream over sys.stdout or sys.stderr (`name`), typed as the stream it stands for."""
    return cast(TextIO, GuardedStream(name))
