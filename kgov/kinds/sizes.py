"""The capability of a kind whose changes take storage (kgov/kinds/base.py has the others)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from kgov.kinds.base import DiffContext
from kgov.plan.model import JSON, Entry


class SizesChanges(ABC):
    """For plans: what the kind's planned entries add in storage (docs/capacity.md). The answer is
    the plan's `capacity` object ({"line", "topics", "partitions", "bytes", "unbounded"}); renderers
    show its `line` without knowing the kind."""

    @abstractmethod
    def capacity(
        self,
        entries: Sequence[Entry],
        observed: Any,
        ctx: DiffContext,
        backend: Any,
        other: Callable[[str], Any],
    ) -> tuple[list[Entry], JSON | None]:
        """The entries (with what was measured: notes, or blocked by policy.capacity) and the plan's
        capacity, None when no entry of the kind takes or frees storage. `observed`: the kind's own
        observation the entries were diffed against (what the brokers hold now); `ctx`: the settings
        (policy.capacity's limits); `backend`: the kind's port to measure with in a fixed number of
        requests, None for a plan from a snapshot (nothing is read); `other`: the plan's other ports
        by backend name."""

    @abstractmethod
    def review_capacity(self, changes: Sequence[tuple[str, JSON, JSON]]) -> JSON | None:
        """The same for `kgov diff --base`, over (name, before, after) desired JSON (None: absent)
        of one environment."""
