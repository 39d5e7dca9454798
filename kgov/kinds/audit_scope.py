"""The capability for a kind whose audit reads more than its plan (beside kgov/kinds/base.py, which
lists it in CAPABILITIES)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from kgov.plan.model import JSON


class WidensAuditRead(ABC):
    """For `kgov audit`: the scope to observe with when the audit needs more than a plan reads (the
    broker kind reads the brokers' settings for its governance findings even where the catalog
    manages none, and a plan reads nothing). Without it the audit observes with the plan's scope."""

    @abstractmethod
    def audit_scope(self, scope: JSON) -> JSON:
        """The plan's `scope`, widened for the audit; `diff` must still plan nothing beyond it."""
