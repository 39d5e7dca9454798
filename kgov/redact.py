"""Redaction: every value resolved from a secret reference in this process, and `redact`, which
replaces any of them in a text by the reference it came from.

The bottom of kgov (it imports nothing of kgov): kgov/secrets.py remembers what it resolves here,
kgov/errors.py redacts every KgovError's message and hint, and every path that shows a foreign
exception's text (the CLI's last-resort handler, apply's results, the policy engine) calls `redact`.

A library quotes parts, not only wholes: librdkafka splits `bootstrap.servers` on `,` and names
`Tail:9092`; a URL's host comes back lower-cased or percent-encoded. So a value remembered as secret
(a password) is redacted whole and in every fragment of 3 or more characters between `,` `:` `/`
`@` `;` and blanks, in any letter case, raw, percent-encoded and percent-decoded. Any other value
(bootstrap servers, a URL, a user name, a file path) is redacted whole in the same forms, but not in
fragments: its parts (a host, a port) name things a message must be able to show.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote, unquote

# Resolved values shorter than this are not searched for in messages (a "1" would garble them all);
# nor are a secret's fragments shorter than _MIN_FRAGMENT.
_MIN_REDACTED = 3
_MIN_FRAGMENT = 3
# Where a library may cut a value it quotes back: lists, host:port, URLs, user@host.
_CUTS = re.compile(r"[,:/@;\s]+")

# form of a value resolved in this process (case-folded) -> the reference it came from, for `redact`
_resolved: dict[str, str] = {}
_pattern: re.Pattern[str] | None = None  # every form in _resolved, longest first; None: to rebuild
# Several environments are planned in threads (kgov/commands/plan_many.py) that resolve references
# (a user's password, kgov's user name) while others redact: a pattern built from a table another
# thread is filling could miss a value just remembered, and keep missing it. One lock for both.
_lock = threading.Lock()


def remember(value: str, shown_as: str, *, secret: bool = True) -> None:
    """Redact `value` from every message from now on, showing `shown_as` instead (see the module
    docstring for the forms searched: a secret's fragments too)."""
    with _lock:
        _remember(value, shown_as, secret=secret)


def _remember(value: str, shown_as: str, *, secret: bool) -> None:
    global _pattern
    wholes = {part.strip() for part in (value, *value.splitlines())}
    forms = {w for w in wholes if len(w) >= _MIN_REDACTED}
    if secret:
        forms |= {f for w in wholes for f in _CUTS.split(w) if len(f) >= _MIN_FRAGMENT}
    forms |= {quote(f, safe="") for f in forms} | {unquote(f) for f in forms}
    for form in forms:
        if len(form) >= _MIN_REDACTED and form.casefold() not in _resolved:
            _resolved[form.casefold()] = shown_as
            _pattern = None


def redact(text: str) -> str:
    """`text` with every value resolved from a reference in this process (in any of the forms that
    `remember` lists) replaced by the reference."""
    global _pattern
    if not _resolved or not text:
        return text
    with _lock:
        if _pattern is None:
            forms = sorted(_resolved, key=len, reverse=True)  # the longest first: a whole before its parts
            _pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)
        pattern = _pattern
    # reading the table while another thread adds to it is safe; iterating it (above) is not
    return pattern.sub(lambda m: _resolved.get(m.group(0).casefold(), "[redacted]"), text)


def forget() -> None:
    """Drop every remembered value (kgov.secrets.forget, for tests: see there)."""
    global _pattern
    with _lock:
        _resolved.clear()
        _pattern = None
