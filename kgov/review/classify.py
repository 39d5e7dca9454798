"""Why a change matters, for a kind that does not say it: added is safe, removed needs attention,
changed is safe.

A kind says its own by declaring `ClassifiesChanges` (kgov/kinds/base.py): the topic, ACL and
subject kinds do, in their review modules (kgov/kinds/topics/review.py, kgov/kinds/acl/review.py,
kgov/kinds/subjects/review.py). See docs/diff.md, "For kind authors".
"""

from __future__ import annotations

from collections.abc import Callable

from kgov.catalog.model import Catalog
from kgov.plan.model import JSON
from kgov.review.model import ATTENTION, SAFE, Reason

Rule = Callable[[str, JSON, JSON, Catalog, Catalog], list[Reason]]


def default_reasons(kind: str) -> Rule:
    def rule(name: str, before: JSON, after: JSON, head: Catalog, base: Catalog) -> list[Reason]:
        if before is None:
            return [Reason(f"{kind}-added", SAFE, f"new {kind} {name}")]
        if after is None:
            return [Reason(f"{kind}-removed", ATTENTION, f"{kind} {name} is removed")]
        return [Reason(f"{kind}-changed", SAFE, f"{kind} {name} changed")]

    return rule
