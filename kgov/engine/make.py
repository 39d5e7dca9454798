"""Observe the cluster for a catalog and diff, kind by kind: the read-only half of plan and apply."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kgov import __version__
from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment, own_user
from kgov.engine.observe import Ports, ToRead, observe_all
from kgov.engine.selfguard import guard
from kgov.kinds import KINDS
from kgov.kinds.base import Backends, DiffContext, Kind, Narrows, check_rights
from kgov.kinds.by_file import NarrowsByFile, unique_topic_names
from kgov.kinds.evidence import with_evidence
from kgov.kinds.sizes import SizesChanges
from kgov.plan.fingerprint import digest, plan_fingerprint
from kgov.plan.model import ACTIONS, COUNTED_AS, JSON, Entry, KindSummary, Plan, Scoped


def make_plan(
    catalog: Catalog,
    env_name: str,
    backends: Backends,
    *,
    allow_delete: bool,
    allow_delete_active: bool = False,
    kinds: Sequence[Kind] = KINDS,
    scoped: Scoped | None = None,
    observe_with: Mapping[str, Callable[[JSON], Any]] | None = None,
) -> Plan:
    """A plan of the catalog against the backends; with `scoped`, only of the resources it names for
    the kinds that can narrow (see `narrowed` below), the other kinds in full. With
    `observe_with` (a snapshot, kgov/engine/snapshot.py), kinds are observed through it, not the
    backends, and a kind it lacks is not planned."""
    env = environment(catalog, env_name)
    named = unique_topic_names(catalog) or frozenset(t.name for t in catalog.topics())  # (remembered)
    ctx = DiffContext(env, catalog.settings, allow_delete, allow_delete_active, named)
    me = own_user(env)  # its credential and bindings are never planned (kgov/engine/selfguard.py)
    scope: dict[str, JSON] = {}
    state: dict[str, JSON] = {}
    entries: list[Entry] = []
    warnings: list[str] = []
    summary: dict[str, KindSummary] = {}
    ports = Ports(backends)  # one per backend for this plan: a listing two kinds need is read once
    planned: list[ToRead] = []
    capacity: JSON = None
    for kind in kinds:
        names = scoped.names.get(kind.name, ()) if scoped is not None else ()
        # a scoped plan derives only the desired state of the names it plans, when the kind can
        quick = None
        if scoped is not None and isinstance(kind, NarrowsByFile):
            quick = kind.desired_of(catalog, env, names)
        desired = quick[0] if quick is not None else kind.desired(catalog, env)
        backend = ports.get(kind.backend)
        reader = observe_with.get(kind.name) if observe_with is not None else None
        if reader is None and (backend is None or observe_with is not None):
            if quick is not None:  # the warning counts all of them
                desired = kind.desired(catalog, env)
            if desired:
                why = (
                    "the snapshot holds no state for them"
                    if observe_with is not None
                    else (f"environment '{env.name}' has no {kind.backend} connection")
                )
                warnings.append(f"{len(desired)} {kind.title} not planned: {why}")
            continue
        if quick is not None:
            scope[kind.name] = quick[1]
        else:
            scope[kind.name] = kind.scope(desired, catalog)
            narrow = narrowed(kind, scope[kind.name], names) if scoped is not None else None
            if narrow is not None:
                scope[kind.name] = narrow
                wanted = frozenset(names)
                desired = {n: v for n, v in desired.items() if n in wanted}
        planned.append(ToRead(kind, desired, backend, scope[kind.name], reader))
    # The backends are read at once (kgov/engine/observe.py); the diffs below keep the kinds' order.
    for read, observed in observe_all(planned):
        kind, desired = read.kind, read.desired
        state[kind.name] = kind.state_json(observed)
        found, said = kind.diff(desired, observed, ctx)
        found = guard(found, me, kind)
        if read.reader is None:  # a plan from a snapshot has no connection to ask
            check_rights(kind, read.port, [e for e in found if e.is_change])
            # may block a delete of what is in use; reads other ports for more evidence (sizes)
            found = with_evidence(kind, read.port, found, ctx, ports.get, entries)
        if isinstance(kind, SizesChanges) and capacity is None:  # one kind takes storage: topics
            # with a connection, it measures what it needs (write rates; not from a snapshot)
            port = read.port if read.reader is None else None
            found, capacity = kind.capacity(found, observed, ctx, port, ports.get)
        entries.extend(found)
        warnings.extend(said)
        summary[kind.name] = KindSummary(
            kind.title,
            len(desired),
            **{a: sum(COUNTED_AS.get(e.action) == a for e in found) for a in ACTIONS},
        )
    if allow_delete and not catalog.settings.ownership.delete:
        warnings.append("--allow-delete has no effect: ownership.delete is false in kgov.yaml")
    state_digest = digest(state)
    return Plan(
        environment=env.name,
        scope=scope,
        state_digest=state_digest,
        fingerprint=plan_fingerprint(
            env.name, allow_delete, scope, state_digest, entries, scoped, allow_delete_active
        ),
        entries=tuple(entries),
        summary=summary,
        allow_delete=allow_delete,
        allow_delete_active=allow_delete_active,
        warnings=tuple(warnings),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        kgov_version=__version__,
        scoped=scoped,
        capacity=capacity,
    )


def narrowed(kind: Kind, scope: JSON, names: Sequence[str]) -> JSON | None:
    """`scope` narrowed to `names` (a scoped plan, `kgov plan --base`), or None when the kind does
    not declare `Narrows` and is planned in full. A narrowing kind returns the scope that reads only
    those resources (the deletes among them included, when the full scope covers them); its diff
    then sees only the desired resources among `names`."""
    return kind.narrow(scope, names) if isinstance(kind, Narrows) else None
