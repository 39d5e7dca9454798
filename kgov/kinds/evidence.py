"""The capability for a kind whose deletes show their evidence (beside kgov/kinds/base.py, which lists
it in CAPABILITIES)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from kgov.plan.model import Entry


class ShowsEvidence(ABC):
    """Deletes that show their evidence: after the diff, a kind reads (in a fixed number of batched
    requests, and only when `entries` hold a delete) what says its deleted resources are still in use,
    and returns the entries with the evidence in a note (kgov.plan.model.EVIDENCE) or, for a resource
    in use within settings.ownership.active_within and without ctx.allow_delete_active, blocked with
    the evidence as the reason. Not called for a plan from a snapshot (there is no cluster to ask)."""

    # ctx: a kgov.kinds.base.DiffContext (base.py imports this module, so it is not named here);
    # other: the plan's other ports by backend name (None when the environment has none), for evidence
    # another port reads (the topics' bytes on disk: the replica port's describe_log_dirs);
    # planned: the entries of the kinds planned before (a subject whose topic this plan deletes)
    @abstractmethod
    def evidence(
        self,
        backend: Any,
        entries: Sequence[Entry],
        ctx: Any,
        other: Callable[[str], Any],
        planned: Sequence[Entry],
    ) -> list[Entry]: ...


def with_evidence(
    kind: object,
    backend: Any,
    entries: list[Entry],
    ctx: Any,
    other: Callable[[str], Any],
    planned: Sequence[Entry] = (),
) -> list[Entry]:
    if isinstance(kind, ShowsEvidence) and any(e.action == "delete" for e in entries):
        return kind.evidence(backend, entries, ctx, other, planned)
    return entries
