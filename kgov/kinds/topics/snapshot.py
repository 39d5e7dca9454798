"""Topics in a snapshot (`kgov snapshot`): what a plan without a connection observes.

The snapshot reads wider than a plan: every unprotected topic's partitions and replication factor
(the one metadata request lists them all anyway) and the explicit configs of the catalog's topics.
A later plan, of the same catalog or of a changed one (a pull request), takes its own scope out of
it, exactly as `observe_topics` would have read it, so its fingerprint is the live plan's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kgov.errors import ClusterError, PlanError
from kgov.kinds.ownership import TopicScope
from kgov.kinds.topics.observe import ObservedTopics
from kgov.plan.model import JSON
from kgov.state import TopicSpec


def snapshot_scope(scope: JSON) -> JSON:
    """The scope a snapshot reads: the catalog's names (configs) and every unprotected topic."""
    full = TopicScope.from_json(scope)
    return TopicScope(full.names, ("",), full.protected).to_json()


def state_from_json(doc: Mapping[str, Any]) -> ObservedTopics:
    """The inverse of ObservedTopics.to_json."""
    return ObservedTopics(
        {
            str(name): TopicSpec(str(name), int(p), int(rf), {str(k): str(v) for k, v in config})
            for name, (p, rf, config) in doc["topics"].items()
        },
        {str(name): str(error) for name, error in doc["unreadable"].items()},
    )


def from_snapshot(taken: JSON, state: Mapping[str, Any], scope: JSON) -> ObservedTopics:
    """What `observe_topics(scope)` would have read when the snapshot was taken with scope `taken`."""
    observed = state_from_json(state)
    snap, want = TopicScope.from_json(taken), TopicScope.from_json(scope)
    read_configs = frozenset(snap.names)
    named = frozenset(want.names)
    if set(want.protected) != set(snap.protected):
        raise PlanError(
            "the snapshot was taken with other protected patterns than kgov.yaml has now",
            hint="take a new snapshot with this catalog (kgov snapshot)",
        )
    broken = sorted(n for n in observed.unreadable if n in named and want.covers(n, named))
    if broken:  # as observe_topics: a named topic the broker could not describe stops the plan
        raise ClusterError(
            f"cannot describe topic {broken[0]}: {observed.unreadable[broken[0]]} (in the snapshot)"
        )
    out: dict[str, TopicSpec] = {}
    for name, spec in observed.topics.items():
        if not want.covers(name, named):
            continue
        if name in named and name not in read_configs:
            raise PlanError(
                f"the snapshot has no configs of topic {name} (it exists, but the catalog the snapshot "
                "was taken with does not name it)",
                hint="take the snapshot with this catalog: kgov snapshot --catalog <this catalog>",
            )
        # a named topic's spec as read (made by state_from_json: no one else holds it), others' bare
        out[name] = spec if name in named else TopicSpec(name, spec.partitions, spec.replication_factor, {})
    unreadable = {n: e for n, e in observed.unreadable.items() if n not in named and want.covers(n, named)}
    return ObservedTopics(out, unreadable)
