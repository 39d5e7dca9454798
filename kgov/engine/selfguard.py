"""kgov never changes its own login: its SCRAM credential and its ACL bindings are not the catalog's.

If a catalog declared the principal kgov logs in as (the environment's `kafka.username`), a plan
could change kgov's password or revoke its cluster rights, and a pull request could take over the
admin. `kgov lint` refuses such a file when the user name is written literally (rule
`kgov-own-principal`); when it is a reference, only the plan knows it, and every entry that would
touch that principal is blocked here, so neither plan nor apply can alter it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kgov.kinds.base import BelongsToPrincipal, Kind
from kgov.plan.model import Entry


def guard(entries: Sequence[Entry], user: str | None, kind: Kind) -> list[Entry]:
    """`entries` (of `kind`), with every change to `user`'s credential or bindings turned into a
    blocked entry. The kinds whose entries can touch a login say which do (`BelongsToPrincipal`)."""
    if user is None or not isinstance(kind, BelongsToPrincipal):
        return list(entries)
    principal = f"User:{user}"
    return [
        _blocked(e) if e.action != "blocked" and kind.touches_principal(e, user, principal) else e
        for e in entries
    ]


def _blocked(entry: Entry) -> Entry:
    return replace(
        entry,
        action="blocked",
        reason=f"{entry.group} is the principal kgov logs in as: kgov never changes its own "
        f"credential or rights (this would {entry.action} {entry.label or entry.name})",
        hint="remove this principal from the catalog; kgov's own login is managed outside it",
    )
