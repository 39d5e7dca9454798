"""The one read path of plan (live or from a snapshot) and audit: each kind observed through its
backend's ReadOnce port (kgov/engine/reads.py), the backends' reads overlapped (overlap.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from kgov.engine.overlap import overlapped
from kgov.engine.reads import ReadOnce
from kgov.kinds.base import Backends, Kind
from kgov.plan.model import JSON


@dataclass(frozen=True)
class ToRead:
    """A kind to observe within `scope`: through `port`, or `reader` (a snapshot's) when set."""

    kind: Kind
    desired: Mapping[str, Any]
    port: Any
    scope: JSON
    reader: Callable[[JSON], Any] | None = None


class Ports:
    """One ReadOnce proxy per backend for one plan or audit: a listing two kinds need is read once."""

    def __init__(self, backends: Backends) -> None:
        self._backends = backends
        self.proxies: dict[str, ReadOnce] = {}

    def get(self, backend: str) -> ReadOnce | None:
        raw = self._backends.get(backend)
        if raw is None:
            return None
        if backend not in self.proxies:
            self.proxies[backend] = ReadOnce(raw, self.get)
        return self.proxies[backend]


def observe_all(reads: Sequence[ToRead]) -> Iterator[tuple[ToRead, Any]]:
    """Each read with what it observed, in order. The registry's reads start at once and run while
    the broker answers the Kafka kinds, which stay in order in this thread (overlap.py)."""
    observing = overlapped(
        [
            ("snapshot", partial(r.reader, r.scope))
            if r.reader is not None
            else (r.kind.backend, partial(r.kind.observe, r.port, r.scope))
            for r in reads
        ]
    )
    for read, observation in zip(reads, observing, strict=True):
        yield read, observation.result()
