"""Titled tables a kind lends `kgov audit`: the table, and the capability (listed with the others
in kgov/kinds/base.py `CAPABILITIES`; here so that base.py stays small)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditTable:
    """Every audit format renders it as it is, escaped, without knowing the kind. Plain-text cells."""

    title: str  # "Effective client quotas"
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # one sentence under the title: what the table shows


class LendsAuditTables(ABC):
    """For `kgov audit` read from the cluster (kgov/audit/build.py): tables no other section holds
    (the quota kind's effective quota per principal and client id). `backend` is the port observe
    used (its whole-cluster reads are cached; a few batched reads more are allowed); `ctx` is the
    audit's DiffContext."""

    @abstractmethod
    def audit_tables(
        self, backend: Any, desired: Mapping[str, Any], observed: Any, ctx: Any
    ) -> list[AuditTable]: ...
