"""The audit as pure data (frozen), and its versioned JSON (docs/audit.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kgov.audit.usage import Usage
from kgov.kinds.access_matrix import Matrix
from kgov.kinds.base import Unmanaged, Violation
from kgov.kinds.tables import AuditTable
from kgov.plan.model import JSON, Entry

_NO_ACCESS = Matrix((), (), ())  # frozen: one empty matrix serves every audit without one
# 2: usage (consumer lag, unconsumed and empty topics), subjects; 3: violations' severity;
# 4: violations' hint (the remedy, null when the rule gives none) and the kinds' tables (effective quotas)
# 5: usage's retire_candidates (no group, no write within ownership.retire_after; their bytes)
FORMAT_VERSION = 5


@dataclass(frozen=True)
class Node:
    id: str  # "principal:User:orders", "topic:orders.created", "group:orders-app"
    kind: str  # principal | topic | group
    name: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str  # produces (principal→topic) | consumes (topic→principal) | uses (principal→group)


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def to_json(self) -> JSON:
        return {
            "nodes": [{"id": n.id, "kind": n.kind, "name": n.name} for n in self.nodes],
            "edges": [{"source": e.source, "target": e.target, "relation": e.relation} for e in self.edges],
        }


@dataclass(frozen=True)
class Audit:
    environment: str
    source: str  # "cluster" (read now) or "catalog" (--catalog-only: derived bindings, no cluster)
    created_at: str
    kgov_version: str
    drift: tuple[Entry, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    violations: tuple[Violation, ...] = ()
    matrix: Matrix = _NO_ACCESS
    graph: Graph = Graph((), ())
    warnings: tuple[str, ...] = ()
    kinds: tuple[tuple[str, str], ...] = field(default=())  # (name, title) of the kinds read
    usage: Usage | None = None  # None: not read (--catalog-only, no Kafka, or Kafka refused)
    tables: tuple[tuple[str, AuditTable], ...] = ()  # (kind name, table) the kinds lend

    def summary(self) -> dict[str, int]:
        return {
            "drift": len(self.drift),
            "unmanaged": len(self.unmanaged),
            "violations": len(self.violations),
            "principals": len(self.matrix.principals),
            "topics": len(self.matrix.topics),
            "cells": len(self.matrix.cells),
            "lagging": sum(x.lag > 0 for x in self.usage.lag) if self.usage else 0,
            "unconsumed": len(self.usage.unconsumed) if self.usage else 0,
            "empty": len(self.usage.empty) if self.usage else 0,
        }

    def to_json(self) -> JSON:
        return {
            "format_version": FORMAT_VERSION,
            "kgov_version": self.kgov_version,
            "environment": self.environment,
            "source": self.source,
            "created_at": self.created_at,
            "summary": self.summary(),
            "kinds": {name: title for name, title in self.kinds},
            "drift": [e.to_json() for e in self.drift],
            "unmanaged": [
                {"kind": u.kind, "name": u.name, "label": u.label, "detail": u.detail} for u in self.unmanaged
            ],
            "violations": [
                {
                    "rule": v.rule,
                    "kind": v.kind,
                    "name": v.name,
                    "message": v.message,
                    "severity": v.severity,
                    "hint": v.hint,
                }
                for v in self.violations
            ],
            "access_matrix": self.matrix.to_json(),
            "data_flow": self.graph.to_json(),
            "usage": self.usage.to_json() if self.usage else None,
            "tables": [
                {
                    "kind": kind,
                    "title": t.title,
                    "note": t.note,
                    "columns": list(t.columns),
                    "rows": [list(r) for r in t.rows],
                }
                for kind, t in self.tables
            ],
            "warnings": list(self.warnings),
        }
