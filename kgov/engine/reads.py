"""A port proxy for one plan's reads: the argument-less whole-cluster reads are made once.

Kinds stay decoupled (each asks its port for what it needs), yet a read two kinds need is sent
once per plan: the audit's unmanaged topics come from the listing the topic kind already made (one
Metadata request, not two), and the ACL and user kinds share one DescribeCluster for kgov's rights.
The proxy lives as long as one plan or one audit, so apply's re-reads (waiting for changes to show)
always reach the cluster.
"""

from __future__ import annotations

from typing import Any

ONCE = frozenset(
    {
        "list_topics",
        "describe_acls",
        "describe_scram",
        "cluster_operations",
        "subjects",
        "list_groups",  # the deletes' evidence: topics and principals share one listing
        "open_transactions",
    }
)
# Reads answered once per argument list: the consumer groups' offsets that the topics' and the
# principals' delete evidence both read (kgov/kinds/topics/evidence.py, kgov/kinds/principal_evidence.py).
ONCE_PER_ARGS = frozenset({"group_offsets"})


class ReadOnce:
    """Answers the reads in ONCE from their first answer; everything else goes to the port."""

    def __init__(self, port: Any) -> None:
        self._port = port
        self._answers: dict[Any, Any] = {}  # by name, or by (name, *args)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._port, name)
        if name in ONCE_PER_ARGS:
            return self._per_args(name, attr)
        if name not in ONCE:
            return attr

        def once() -> Any:
            if name not in self._answers:
                self._answers[name] = attr()
            return self._answers[name]

        return once

    def _per_args(self, name: str, attr: Any) -> Any:
        def once(*args: Any) -> Any:
            key = (name, *(tuple(a) if isinstance(a, list | tuple) else a for a in args))
            if key not in self._answers:
                self._answers[key] = attr(*args)
            return self._answers[key]

        return once
