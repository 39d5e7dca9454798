"""A port proxy for one plan's reads: the argument-less whole-cluster reads are made once.

Kinds stay decoupled (each asks its port for what it needs), yet a read two kinds need is sent
once per plan: the audit's unmanaged topics come from the listing the topic kind already made (one
Metadata request, not two), and the ACL and user kinds share one DescribeCluster for kgov's rights.
The proxy lives as long as one plan or one audit, so apply's re-reads (waiting for changes to show)
always reach the cluster.
"""

from __future__ import annotations

from typing import Any

ONCE = frozenset({"list_topics", "describe_acls", "describe_scram", "cluster_operations", "subjects"})


class ReadOnce:
    """Answers the reads in ONCE from their first answer; everything else goes to the port."""

    def __init__(self, port: Any) -> None:
        self._port = port
        self._answers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._port, name)
        if name not in ONCE:
            return attr

        def once() -> Any:
            if name not in self._answers:
                self._answers[name] = attr()
            return self._answers[name]

        return once
