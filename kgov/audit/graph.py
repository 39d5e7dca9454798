"""The data-flow graph: who produces to which topic, who consumes it, and the consumer groups
each consumer may use. Drawn from the access matrix (effective rights) and the group bindings."""

from __future__ import annotations

from collections.abc import Iterable

from kgov.audit.model import Edge, Graph, Node
from kgov.bindings import Binding
from kgov.kinds.access_matrix import Matrix


def data_flow(matrix: Matrix, bindings: Iterable[Binding]) -> Graph:
    nodes: dict[str, Node] = {}
    edges: set[Edge] = set()

    def node(kind: str, name: str) -> str:
        key = f"{kind}:{name}"
        nodes.setdefault(key, Node(key, kind, name))
        return key

    for cell in matrix.cells:
        rights = cell.effective
        if "produce" in rights:
            edges.add(Edge(node("principal", cell.principal), node("topic", cell.topic), "produces"))
        if "consume" in rights:
            edges.add(Edge(node("topic", cell.topic), node("principal", cell.principal), "consumes"))
    for b in bindings:
        if b.resource_type == "group" and b.permission == "allow" and b.operation in ("READ", "ALL"):
            name = f"{b.name}*" if b.pattern == "prefixed" else b.name
            edges.add(Edge(node("principal", b.principal), node("group", name), "uses"))
    return Graph(
        tuple(sorted(nodes.values(), key=lambda n: n.id)),
        tuple(sorted(edges, key=lambda e: (e.source, e.target, e.relation))),  # deterministic output
    )
