"""User-written regular expressions (policy.topic_name), compiled with RE2; and the globs of
ownership.protected, compiled once into one pattern.

A pattern comes from a pull request, and Python's backtracking `re` can take exponential time on a
crafted name (`^([a-z.]+)+$` against 'aaaa…!' takes minutes): RE2 matches in time linear in the
name, whatever the pattern. Its syntax is Python's without backreferences and lookaround, and it
keeps named groups (?P<service>…), which the naming rules use.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import re2

from kgov.catalog.model import DEFAULT_TOPIC_NAME
from kgov.errors import ConfigError
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
    if pattern == DEFAULT_TOPIC_NAME:
        # kgov's own default, not a pull request's: no construct in it backtracks (character classes
        # in sequence), and the standard library matches it 10 times faster than RE2's Python wrapper.
        return re.compile(pattern)
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(f"it is longer than {MAX_PATTERN_CHARS} characters")
    try:
        compiled = re2.compile(pattern.encode("utf-8", "surrogateescape"), _options())
    except re2.error as exc:
        raw = exc.args[0] if exc.args else "it does not compile"
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise PatternError(excerpt(reason, 120)) from None
    return _Utf8Pattern(compiled)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class _Utf8Match:
    __slots__ = ("_match",)

    def __init__(self, match: Any) -> None:
        self._match = match

    def groupdict(self) -> dict[str, str | None]:
        raw: dict[bytes, bytes | None] = self._match.groupdict()
        return {_text(k): None if v is None else _text(v) for k, v in raw.items()}


class _Utf8Pattern:
    """An RE2 pattern matched on UTF-8 bytes: RE2 matches UTF-8 either way, but its Python wrapper
    converts character offsets on every str call (2.3 times slower over 10,000 topic names)."""

    __slots__ = ("_compiled", "groupindex")

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled
        self.groupindex: Mapping[str, int] = {_text(k): v for k, v in compiled.groupindex.items()}

    def fullmatch(self, text: str) -> _Utf8Match | None:
        match = self._compiled.fullmatch(text.encode("utf-8", "surrogateescape"))
        return None if match is None else _Utf8Match(match)


# ownership.protected: at most this many glob patterns of at most a topic name's length (the kgov.yaml
# schema says the same, so lint refuses more at its position). A plan file's scope repeats the list
# (with ALWAYS_PROTECTED added): it is held to the same bound, plus that one.
MAX_PROTECTED = 1000
MAX_PROTECTED_CHARS = 249


def protected_matcher(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern matching a name any of the globs (fnmatch's, case-sensitive) matches; None for none.

    Compiled once per list: fnmatch compiles each glob into its own cache of 32,768, which thrashed
    with 50,000 patterns (a plan took 24-36 s)."""
    global _last
    last = _last
    if last[0] is globs:  # callers pass the same tuple for every name: not even hashed again
        return last[1]
    if len(globs) > MAX_PROTECTED + 1 or any(len(g) > MAX_PROTECTED_CHARS for g in globs):
        raise ConfigError(
            f"ownership.protected lists {len(globs)} patterns; at most {MAX_PROTECTED} of at most "
            f"{MAX_PROTECTED_CHARS} characters each",
            hint="protect whole families with one pattern each (e.g. 'legacy-*')",
        )
    found = _globs(globs)
    _last = (globs, found)
    return found


_last: tuple[tuple[str, ...] | None, re.Pattern[str] | None] = (None, None)


@cache
def _globs(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(fnmatch.translate(g) for g in globs)) if globs else None

