"""Where the catalog declares a principal: its acls file's `principal` line.

One acls file holds a principal's bindings (the ACL kind) and its SCRAM login (the user kind), so
`kgov diff --base` locates a change of either there: here, not in one kind's package, so no kind
imports another.
"""

from __future__ import annotations

from collections.abc import Mapping

from kgov.catalog.model import Catalog
from kgov.diagnostics import Location
from kgov.plan.model import JSON


def principal_location(catalog: Catalog, name: str, value: JSON) -> Location | None:
    """The acls file of the principal a binding or user (its desired JSON `value`) belongs to."""
    if not isinstance(value, Mapping):
        return None
    who = value.get("principal") or f"User:{value.get('name', name)}"
    access = next((f for f in catalog.access_files if f.principal == who), None)
    return access.loc("principal") if access is not None else None
