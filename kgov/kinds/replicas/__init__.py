"""The replica kind: each topic's replication factor carried out by a throttled partition
reassignment (placement in placement.py, the data and time in transfer.py).

Its own kind because a kind has one backend and this one needs the reassignment port
(kgov/cluster/kafka/replica_port.py); topics are created with their factor by the topic kind, and
this kind changes the factor of the topics that exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.catalog.patterns import protected_matcher
from kgov.cluster.kafka.replica_port import ReplicaPort
from kgov.kinds.base import (
    PHASE_TOPICS,
    ApplyOptions,
    DiffContext,
    Narrows,
    ReviewedWithAnother,
    SavesSnapshotState,
    Snapshotting,
    TakesApplyOptions,
)
from kgov.kinds.by_file import NarrowsByFile
from kgov.kinds.ownership import protected_patterns
from kgov.kinds.replicas import snapshot
from kgov.kinds.replicas.apply import apply_replicas
from kgov.kinds.replicas.audit import AuditsReplicas
from kgov.kinds.replicas.desired import changed_factors, desired_factors, factors_of
from kgov.kinds.replicas.diff import diff_replicas
from kgov.kinds.replicas.leftover import broker_of, is_cleanup
from kgov.kinds.replicas.observe import ObservedReplicas, observe_replicas
from kgov.plan.model import JSON, Entry


class ReplicaKind(
    AuditsReplicas,
    TakesApplyOptions,
    ReviewedWithAnother,
    Snapshotting,
    SavesSnapshotState,
    Narrows,
    NarrowsByFile,
):
    name = "replicas"
    title = "replica placements"
    backend = "reassign"
    # after the topic kind's creations and config changes (same phase, later in the registry)
    # (`update`: a throttle left behind, removed: kgov/kinds/replicas/leftover.py)
    order: Mapping[str, int] = {"reassign": PHASE_TOPICS, "update": PHASE_TOPICS}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, int]:
        return desired_factors(catalog, env)

    def scope(self, desired: Mapping[str, Any], catalog: Catalog) -> JSON:
        # protected topics are never read (the topic kind blocks them; the diff skips them)
        patterns = protected_patterns(catalog.settings.ownership.protected)
        matcher = protected_matcher(patterns) if desired else None
        # (= dict(sorted(items)), sooner: 100,000 topics)
        return {"topics": {t: desired[t] for t in sorted(desired) if not (matcher and matcher.match(t))}}

    def narrow(self, scope: JSON, names: Sequence[str]) -> JSON:
        """A scoped plan (`kgov plan --base`): the topics whose factor the change sets. Placement
        still balances over every partition (observe reads them all, one request); a factor changed
        by hand, or a throttle left on a topic the change does not touch, is a full plan's to find
        (reading every catalog topic's configs would make a scoped plan as slow as a full one), and
        so is a broker's throttle rate left behind (`rates`: not read)."""
        wanted = frozenset(names)
        return {"topics": {t: rf for t, rf in scope["topics"].items() if t in wanted}, "rates": False}

    def changed_values(
        self, head: Catalog, base: Catalog, envs: tuple[Environment, Environment]
    ) -> tuple[Mapping[str, int], Mapping[str, int]] | None:
        return changed_factors(head, base, *envs)

    def desired_of(
        self, catalog: Catalog, env: Environment, names: Sequence[str]
    ) -> tuple[Mapping[str, int], JSON] | None:
        factors = factors_of(catalog, env, names)
        return factors, self.narrow(self.scope(factors, catalog), names)

    def observe(self, backend: ReplicaPort, scope: JSON) -> ObservedReplicas:
        return observe_replicas(backend, scope["topics"], read_rates=scope.get("rates", True) is not False)

    def state_json(self, observed: ObservedReplicas) -> JSON:
        return observed.to_json()

    def diff(
        self, desired: Mapping[str, Any], observed: ObservedReplicas, ctx: DiffContext
    ) -> tuple[list[Entry], list[str]]:
        return diff_replicas(desired, observed, ctx)

    # -- snapshots (`kgov snapshot`, `kgov plan --snapshot`): see kgov/kinds/replicas/snapshot.py --
    def snapshot_scope(self, scope: JSON) -> JSON:
        return scope

    def snapshot_state(self, backend: ReplicaPort, scope: JSON) -> JSON:
        return snapshot.snapshot_state(backend, scope)

    def state_from_json(self, doc: JSON) -> ObservedReplicas:
        return snapshot.state_from_json(doc)

    def from_snapshot(self, taken: JSON, state: JSON, scope: JSON) -> ObservedReplicas:
        return snapshot.from_snapshot(taken, state, scope)

    def reviewed_with(self) -> str:
        return "topic"  # the topic's replication_factor row (kgov/kinds/topics/review.py)

    def apply(self, backend: ReplicaPort, entries: Sequence[Entry]) -> Mapping[str, str | None]:
        return apply_replicas(backend, entries, ApplyOptions())

    def apply_with(
        self, backend: ReplicaPort, entries: Sequence[Entry], options: ApplyOptions
    ) -> Mapping[str, str | None]:
        return apply_replicas(backend, entries, options)

    def watch_scope(self, scope: JSON, entries: Sequence[Entry]) -> JSON:
        names = {e.name for e in entries}
        return {"topics": {t: rf for t, rf in scope["topics"].items() if t in names}}

    def visible(self, entry: Entry, observed: ObservedReplicas) -> bool:
        """Moved, or moving there (with --no-wait, or a partition that stalled); a throttle removed."""
        if is_cleanup(entry):
            broker = broker_of(entry)
            left = (
                observed.throttled.get(entry.name, {}) if broker is None else observed.rates.get(broker, {})
            )
            return not any(c.field.removeprefix("config.") in left for c in entry.changes)
        parts = observed.partitions.get(entry.name, {})
        for p, target in entry.after.get("partitions", {}).items():
            key = (entry.name, int(p))
            moving = observed.moving.get(key)
            now = moving.target if moving is not None else parts[int(p)].replicas if int(p) in parts else ()
            if list(now) != list(target):
                return False
        return True
