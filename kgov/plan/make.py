"""Observe the cluster for a catalog and diff, kind by kind: the read-only half of plan and apply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from kgov import __version__
from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.kinds import KINDS
from kgov.kinds.base import Backends, DiffContext, Kind
from kgov.plan.fingerprint import digest, plan_fingerprint
from kgov.plan.model import JSON, Entry, KindSummary, Plan


def make_plan(
    catalog: Catalog,
    env_name: str,
    backends: Backends,
    *,
    allow_delete: bool,
    kinds: Sequence[Kind] = KINDS,
) -> Plan:
    env = environment(catalog, env_name)
    ctx = DiffContext(env, catalog.settings, allow_delete)
    scope: dict[str, JSON] = {}
    state: dict[str, JSON] = {}
    entries: list[Entry] = []
    warnings: list[str] = []
    summary: dict[str, KindSummary] = {}
    wanted = [(kind, kind.desired(catalog, env), backends.get(kind.backend)) for kind in kinds]
    planned = [(kind, desired, backend) for kind, desired, backend in wanted if backend is not None]
    for kind, desired, _ in planned:
        scope[kind.name] = kind.scope(desired, catalog)
    observed = dict(zip((kind.name for kind, _, _ in planned), _observe_all(planned, scope), strict=True))
    for kind, desired, backend in wanted:
        if backend is None:
            if desired:
                warnings.append(
                    f"{len(desired)} {kind.title} not planned: environment '{env.name}' "
                    f"has no {kind.backend} connection"
                )
            continue
        state[kind.name] = kind.state_json(observed[kind.name])
        found, said = kind.diff(desired, observed[kind.name], ctx)
        entries.extend(found)
        warnings.extend(said)
        summary[kind.name] = KindSummary(
            kind.title, len(desired), **{a: sum(e.action == a for e in found) for a in _COUNTED}
        )
    if allow_delete and not catalog.settings.ownership.delete:
        warnings.append("--allow-delete has no effect: ownership.delete is false in kgov.yaml")
    state_digest = digest(state)
    return Plan(
        environment=env.name,
        scope=scope,
        state_digest=state_digest,
        fingerprint=plan_fingerprint(env.name, allow_delete, scope, state_digest, entries),
        entries=tuple(entries),
        summary=summary,
        allow_delete=allow_delete,
        warnings=tuple(warnings),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        kgov_version=__version__,
    )


_COUNTED = ("create", "update", "delete", "blocked")


def _observe_all(planned: Sequence[tuple[Kind, Any, Any]], scope: Mapping[str, JSON]) -> list[Any]:
    """Each kind's observed state, the kinds read at the same time (their reads are independent).

    A kind's observe only reads through its backend, so kinds cannot see each other's reads; the
    wait is the slowest kind, not the sum. Errors surface in the registry's order, as before.
    """
    if len(planned) <= 1:
        return [kind.observe(backend, scope[kind.name]) for kind, _, backend in planned]
    with ThreadPoolExecutor(max_workers=len(planned), thread_name_prefix="kgov-observe") as pool:
        futures = [pool.submit(kind.observe, backend, scope[kind.name]) for kind, _, backend in planned]
        return [future.result() for future in futures]
