"""Execute a plan's entries, phase by phase, batched per kind, with an outcome for every entry.

Apply does exactly what the plan says: it never re-diffs (a saved plan is checked before, by the
caller). Independent entries go on after a failure; each failure carries the backend's error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kgov.errors import KgovError
from kgov.kinds import KINDS
from kgov.kinds.base import ApplyOptions, Backends, Kind, apply_entries
from kgov.plan.model import Entry, Plan
from kgov.redact import redact


@dataclass(frozen=True)
class EntryResult:
    entry: Entry
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Progress = Callable[[str, int], None]  # (what is being done, how many entries)

_VERB = {"create": "creating", "update": "changing", "delete": "deleting", "reassign": "reassigning"}


def _kinds_of(plan: Plan, kinds: Sequence[Kind]) -> dict[str, Kind]:
    by_name = {k.name: k for k in kinds}
    unknown = sorted({e.kind for e in plan.entries} - set(by_name))
    if unknown:
        raise KgovError(f"the plan has entries of unknown kinds: {', '.join(unknown)}; nothing was applied")
    return by_name


def apply_plan(
    plan: Plan,
    backends: Backends,
    kinds: Sequence[Kind] = KINDS,
    progress: Progress | None = None,
    options: ApplyOptions | None = None,
) -> tuple[EntryResult, ...]:
    if plan.blocked:
        raise ValueError("a plan with blocked entries cannot be applied")  # callers refuse it first
    by_name = _kinds_of(plan, kinds)
    say = progress or (lambda _what, _n: None)
    batches: dict[tuple[int, int, str], list[Entry]] = {}
    rank = {k.name: i for i, k in enumerate(kinds)}
    for entry in plan.changes:
        kind = by_name[entry.kind]
        batches.setdefault((kind.order[entry.action], rank[kind.name], entry.action), []).append(entry)
    results: list[EntryResult] = []
    for (_phase, _rank, action), entries in sorted(batches.items()):
        kind = by_name[entries[0].kind]
        say(f"{_VERB.get(action, action)} {kind.title}", len(entries))
        try:
            outcome = apply_entries(kind, backends.get(kind.backend), entries, options or ApplyOptions())
        except KgovError as exc:  # e.g. the backend went away: every entry of the batch failed
            outcome = {e.address: exc.message for e in entries}
        except Exception as exc:  # a bug or a value the client refused: still report every entry
            said = redact(f"{type(exc).__name__}: {exc}")  # a client's text may quote a secret
            outcome = {e.address: f"not applied: {said}" for e in entries}
        for e in entries:  # a kind's message may quote a client's or registry's text: redacted here
            error = outcome.get(e.address, "no answer from the cluster")
            results.append(EntryResult(e, None if error is None else redact(error)))
    return tuple(results)


def await_visible(
    plan: Plan,
    results: Sequence[EntryResult],
    backends: Backends,
    kinds: Sequence[Kind] = KINDS,
    timeout_s: float = 30.0,
) -> tuple[str, ...]:
    """Wait until every successful entry shows in what the cluster reports; return those that don't.

    Kafka acknowledges a change once the controller has it; the brokers' metadata follows a moment
    later. Waiting here means a plan right after apply sees the applied state. Each re-read is
    batched and limited to what is still pending.
    """
    by_name = _kinds_of(plan, kinds)
    pending = [r.entry for r in results if r.ok]
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while pending:
        still: list[Entry] = []
        for name in sorted({e.kind for e in pending}):
            kind = by_name[name]
            mine = [e for e in pending if e.kind == name]
            observed = kind.observe(backends.get(kind.backend), kind.watch_scope(plan.scope[name], mine))
            still.extend(e for e in mine if not kind.visible(e, observed))
        pending = still
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    return tuple(f"{e.action} {e.address}" for e in pending)
