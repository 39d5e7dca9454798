"""Snapshot files (`kgov snapshot`): what plan reads of a cluster, per kind, to plan without a
connection (`kgov plan --snapshot`). Versioned JSON (docs/snapshot-format.md); never a secret.
This is the file and its checks only; taking one and planning from one is the engine's
(kgov/engine/snapshot.py).

A snapshot is untrusted input like a plan file: read bounded and checked. Trusting it is safe:
apply re-reads the cluster and refuses a plan whose fingerprint differs, so a stale or edited
snapshot can only make a plan that apply refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kgov import __version__
from kgov.errors import KgovError, PlanError
from kgov.gcpause import no_cycles
from kgov.outfile import check_output_file, write_atomically
from kgov.plan.fingerprint import digest
from kgov.plan.model import JSON
from kgov.plan.planfile import read_json

FORMAT = "kgov-snapshot"
FORMAT_VERSION = 1
MAX_BYTES = 512 * 1024 * 1024
# What `take` writes (isoformat); neither it nor the environment is under the digest, so both are
# checked (the environment against --env), and only ever shown escaped.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", re.ASCII)


@dataclass(frozen=True)
class Snapshot:
    environment: str
    created_at: str
    kinds: Mapping[str, Mapping[str, JSON]]  # kind -> {"scope": ..., "state": ...}

    def to_json(self) -> dict[str, JSON]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kgov_version": __version__,
            "created_at": self.created_at,
            "environment": self.environment,
            "digest": digest(dict(self.kinds)),
            "kinds": dict(self.kinds),
        }


def save(snapshot: Snapshot, path: Path, catalog_root: Path | None = None) -> None:
    """Write the snapshot whole or not at all; never through a symlink, never into the catalog."""
    try:
        check_output_file(path, catalog_root)
        write_atomically(path, json.dumps(snapshot.to_json(), indent=1, sort_keys=True) + "\n")
    except KgovError as exc:
        raise PlanError(f"snapshot file: {exc.message}", hint=exc.hint) from None


def load(path: Path) -> Snapshot:
    again = "take a new one with `kgov snapshot --env ENV --out FILE`"
    with no_cycles():  # the plan keeps it to its end
        doc = read_json(path, MAX_BYTES, "snapshot")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PlanError(f'{path} is not a kgov snapshot (no "format": "{FORMAT}")', hint=again)
    if doc.get("format_version") != FORMAT_VERSION:
        raise PlanError(
            f"{path} has snapshot format {doc.get('format_version')!r}; this kgov reads {FORMAT_VERSION}",
            hint=again,
        )
    kinds = doc.get("kinds")
    if (
        not isinstance(kinds, dict)
        or not isinstance(doc.get("environment"), str)
        or any(not isinstance(v, dict) or set(v) != {"scope", "state"} for v in kinds.values())
    ):
        raise PlanError(f"{path} is not a valid kgov snapshot (environment or kinds malformed)", hint=again)
    if not isinstance(doc.get("created_at"), str) or not _TIMESTAMP.fullmatch(doc["created_at"]):
        raise PlanError(f"{path} is not a valid kgov snapshot (created_at is not a timestamp)", hint=again)
    if doc.get("digest") != digest(kinds):
        raise PlanError(f"{path} was edited after kgov wrote it (its digest does not match)", hint=again)
    return Snapshot(doc["environment"], doc["created_at"], kinds)
