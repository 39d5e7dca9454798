"""User-written regular expressions (policy.topic_name), compiled with RE2.

A pattern comes from a pull request, and Python's backtracking `re` can take exponential time on a
crafted name (`^([a-z.]+)+$` against 'aaaa…!' takes minutes): RE2 matches in time linear in the
name, whatever the pattern. Its syntax is Python's without backreferences and lookaround, and it
keeps named groups (?P<service>…), which the naming rules use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import re2

from kgov.sanitize import excerpt

MAX_PATTERN_CHARS = 1000
MAX_PATTERN_MEMORY = 8 << 20  # RE2's compiled-program budget: a huge repetition is an error, not a stall


class NameMatch(Protocol):
    def groupdict(self) -> dict[str, str | None]: ...


class NamePattern(Protocol):
    """What callers use of a compiled pattern (a small part of re.Pattern, also met by RE2's)."""

    def fullmatch(self, text: str) -> NameMatch | None: ...


@dataclass(frozen=True)
class PatternError(Exception):
    reason: str


@cache
def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own parse errors to stderr
    options.max_mem = MAX_PATTERN_MEMORY
    return options


@cache
def compile_pattern(pattern: str) -> NamePattern:
    """The compiled pattern, or PatternError saying (briefly, printable) why it is refused."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(f"it is longer than {MAX_PATTERN_CHARS} characters")
    try:
        compiled: NamePattern = re2.compile(pattern, _options())
    except re2.error as exc:
        raw = exc.args[0] if exc.args else "it does not compile"
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise PatternError(excerpt(reason, 120)) from None
    return compiled
