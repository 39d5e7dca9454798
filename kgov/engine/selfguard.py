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

from kgov.plan.model import Entry

# The kinds whose entries belong to a principal (Entry.group) or a user name (Entry.name).
_PRINCIPAL_KINDS = ("acl",)
_USER_KINDS = ("user",)



def guard(entries: Sequence[Entry], user: str | None) -> list[Entry]:
    """`entries`, with every change to `user`'s credential or bindings turned into a blocked entry."""
    if user is None:
        return list(entries)
    principal = f"User:{user}"
    return [_blocked(e) if _touches(e, user, principal) else e for e in entries]


def _touches(entry: Entry, user: str, principal: str) -> bool:
    if entry.action == "blocked":
        return False
    return (entry.kind in _PRINCIPAL_KINDS and entry.group == principal) or (
        entry.kind in _USER_KINDS and (entry.name == user or entry.group == principal)
    )


def _blocked(entry: Entry) -> Entry:
    return replace(
        entry,
        action="blocked",
        reason=f"{entry.group} is the principal kgov logs in as: kgov never changes its own "
        f"credential or rights (this would {entry.action} {entry.label or entry.name})",
        hint="remove this principal from the catalog; kgov's own login is managed outside it",
    )
