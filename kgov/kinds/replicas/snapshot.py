"""Replica placements in a snapshot (`kgov snapshot`, `kgov plan --snapshot`).

The snapshot saves what observe reads, wider: min.insync.replicas and partition sizes of every
catalog topic that exists (a plan reads them only for the topics whose factor changes), and kgov's
rights on the cluster and those topics, so that a
plan of a changed catalog (a pull request changing a factor) is answered from it exactly as
`observe_replicas` would have read it, and its fingerprint is the live plan's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kgov.cluster.kafka.reassign_port import Broker, Reassignment
from kgov.cluster.kafka.replica_port import PartitionState, ReplicaPort, Rights
from kgov.errors import PlanError
from kgov.kinds.replicas.observe import ObservedReplicas, observe_replicas, selected, unthrottling
from kgov.plan.model import JSON


def snapshot_state(port: ReplicaPort, scope: JSON) -> JSON:
    seen = observe_replicas(port, scope["topics"], wide=True)
    return {
        "refused": seen.refused,
        "scope": sorted(scope["topics"]),
        "brokers": [[b.id, b.rack] for b in seen.brokers],
        "partitions": {
            t: {str(p): [list(s.replicas), list(s.isr), s.leader] for p, s in sorted(parts.items())}
            for t, parts in sorted(seen.partitions.items())
        },
        "moving": [
            [r.topic, r.partition, list(r.replicas), list(r.adding), list(r.removing)]
            for _, r in sorted(seen.moving.items())
        ],
        "min_insync": dict(sorted(seen.min_insync.items())),
        "sizes": [[t, p, n] for (t, p), n in sorted(seen.sizes.items())],
        "copied": [[t, p, n] for (t, p), n in sorted(seen.copied.items())],
        "throttled": {t: dict(sorted(c.items())) for t, c in sorted(seen.throttled.items())},
        "rates": {str(b): dict(sorted(c.items())) for b, c in sorted(seen.rates.items())},
        "rights": None
        if seen.rights is None
        else {
            "cluster": sorted(seen.rights.cluster),
            "topics": {t: sorted(ops) for t, ops in sorted(seen.rights.topics.items())},
        },
    }


def _rights(doc: Any) -> Rights | None:
    if doc is None:  # not read (no topic to change), or a snapshot older than the rights check
        return None
    return Rights(
        frozenset(map(str, doc["cluster"])),
        {str(t): frozenset(map(str, ops)) for t, ops in doc["topics"].items()},
    )


def state_from_json(doc: Mapping[str, Any]) -> ObservedReplicas:
    return ObservedReplicas(
        brokers=tuple(Broker(int(i), None if r is None else str(r)) for i, r in doc["brokers"]),
        partitions={
            str(t): {
                int(p): PartitionState(
                    tuple(map(int, r)), tuple(map(int, isr)), None if ld is None else int(ld)
                )
                for p, (r, isr, ld) in parts.items()
            }
            for t, parts in doc["partitions"].items()
        },
        moving={
            (str(t), int(p)): Reassignment(
                str(t), int(p), tuple(map(int, r)), tuple(map(int, a)), tuple(map(int, rm))
            )
            for t, p, r, a, rm in doc["moving"]
        },
        min_insync={str(t): int(n) for t, n in doc["min_insync"].items()},
        sizes={(str(t), int(p)): int(n) for t, p, n in doc["sizes"]},
        copied={(str(t), int(p)): int(n) for t, p, n in doc["copied"]},
        scope=tuple(str(t) for t in doc["scope"]),
        refused=bool(doc.get("refused", False)),
        rights=_rights(doc.get("rights")),
        # a snapshot older than the leftover-throttle check has none
        throttled={
            str(t): {str(k): str(v) for k, v in c.items()} for t, c in doc.get("throttled", {}).items()
        },
        rates={int(b): {str(k): str(v) for k, v in c.items()} for b, c in doc.get("rates", {}).items()},
    )


def from_snapshot(taken: JSON, state: Mapping[str, Any], scope: JSON) -> ObservedReplicas:
    """What `observe_replicas(scope)` would have read when the snapshot was taken."""
    full = state_from_json(state)
    want: Mapping[str, int] = scope["topics"]
    changing, watched = selected(full.partitions, full.moving, want)
    read = frozenset(full.scope)
    missing = sorted(t for t in watched if t not in read)
    if missing:
        raise PlanError(
            f"the snapshot has no sizes of topic {missing[0]} (it exists, but the catalog the snapshot "
            "was taken with does not name it)",
            hint="take the snapshot with this catalog: kgov snapshot --catalog <this catalog>",
        )
    chosen = frozenset(watched)
    throttled = {t: c for t, c in full.throttled.items() if t in want}
    rates = full.rates if scope.get("rates", True) is not False else {}  # a scoped plan's: not read
    # the rights live observe reads: the changing and moving topics', those whose throttle is left
    asked = chosen | set(unthrottling(throttled, full.moving, changing))
    return ObservedReplicas(
        full.brokers,
        full.partitions,
        full.moving,
        {t: n for t, n in full.min_insync.items() if t in changing},
        {k: n for k, n in full.sizes.items() if k[0] in chosen},
        {k: n for k, n in full.copied.items() if k[0] in chosen},
        tuple(sorted(want)),
        full.refused,
        # read live only when a topic changes or moves or keeps a throttle, and then for those topics
        None
        if full.rights is None or not (asked or rates)
        else Rights(full.rights.cluster, {t: ops for t, ops in full.rights.topics.items() if t in asked}),
        throttled,
        rates,
    )
