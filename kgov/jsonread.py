"""Parsing untrusted JSON (plan files, snapshots, schema files, `schema check` inputs) without
crashing: a syntax error, a document nested too deeply or a number too long is a JsonProblem with
its line and column, never a RecursionError or a ValueError from deep inside the parser.

Python's parser recurses once per level (a RecursionError near 1,000 levels, and every consumer of
the document recurses over it again), and refuses to convert an integer of more than 4,300 digits
(sys.get_int_max_str_digits). The nesting is checked first by a linear scan that skips strings
(counting brackets in C), integers by the parser itself; only a refused document is walked token
by token to say where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

MAX_DEPTH = 200  # kgov's documents nest about 10 levels, schemas a few dozen
MAX_DIGITS = 4300  # Python's own limit on converting an integer (sys.get_int_max_str_digits)

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRINGS = re.compile(_STRING, re.S)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_TOKENS = re.compile(_STRING + r"|[\[\]{}]|\d+", re.S)  # a whole run of digits: linear
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


@dataclass(frozen=True)
class JsonProblem(Exception):
    """Why a JSON text was refused, and where (1-based line and column)."""

    message: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.message}"


def loads(text: str) -> Any:
    """The parsed JSON document; JsonProblem when it is invalid, too deep or holds too long a number."""
    many = text.count("[") + text.count("{") > MAX_DEPTH
    if many and _deepest_if_valid(text) > MAX_DEPTH and _deepest(text) > MAX_DEPTH:
        _locate(text)  # the nesting, before the parser recurses into it
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if many and _deepest(text) > MAX_DEPTH:  # what the text is refused for when it is not JSON
            _locate(text)
        raise JsonProblem(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except (ValueError, RecursionError):
        # Python refused an integer over its digit limit (a float of any length converts): say where.
        _locate(text)
        raise JsonProblem("invalid JSON: a number too long or nesting too deep") from None


_ESCAPE = re.compile(r"\\.", re.S)
_NOT_MARKS = bytes(b for b in range(256) if b not in b'[]{}"')


def _deepest_if_valid(text: str) -> int:
    """`_deepest(text)` when the text is JSON (backslashes only in strings, each starting an escape);
    a 38 MB snapshot in 0.15 s instead of 0.5 s. Only the brackets and quotes are kept, after the
    escapes are dropped; two quotes in a row hold no bracket between them, and dropping them keeps
    the quotes after them opening and closing as before: what is left is split at its few quotes."""
    marks = _ESCAPE.sub("", text).encode("utf-8", "surrogatepass").translate(None, _NOT_MARKS)
    brackets = b"".join(marks.replace(b'""', b"").split(b'"')[::2])
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _deepest(text: str) -> int:
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text)).encode("ascii")
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _locate(text: str) -> None:
    """Walk the tokens outside strings; raise at the first level too deep or number too long."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _at(text, match.start(), f"nested deeper than {MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1
        elif len(token) > MAX_DIGITS:
            raise _at(text, match.start(), f"a number of more than {MAX_DIGITS} digits")


def _at(text: str, offset: int, message: str) -> JsonProblem:
    line = text.count("\n", 0, offset) + 1
    return JsonProblem(message, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
