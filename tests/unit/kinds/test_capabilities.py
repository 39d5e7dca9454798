"""Optional kind hooks are declared capabilities (kgov/kinds/base.py): a kind class inherits the ones
it has, the core dispatches with isinstance and calls the method by name, so mypy checks every hook
name. A misspelt or forgotten hook can no longer silently turn a feature off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kgov.kinds import KINDS
from kgov.kinds.base import (
    CAPABILITIES,
    BelongsToPrincipal,
    ChecksRights,
    ClassifiesChanges,
    ComparesJson,
    FindsUnmanaged,
    FindsViolations,
    Imports,
    LendsAuditFacts,
    Locates,
    Narrows,
    ReviewedWithAnother,
    SavesSnapshotState,
    Snapshotting,
    TakesApplyOptions,
)
from kgov.kinds.by_file import NarrowsByFile
from kgov.kinds.evidence import ShowsEvidence
from kgov.kinds.tables import LendsAuditTables

KGOV = Path(__file__).resolve().parents[3] / "kgov"
HOOKS = sorted({name for cap in CAPABILITIES for name in cap.__abstractmethods__})
# getattr on a kind (`getattr(kind, ...)`, `getattr(k, ...)`) or by a hook's name
LOOKUP = re.compile(r"getattr\(\s*(?:kind|k)\s*,|getattr\([^)]*[\"'](?:" + "|".join(HOOKS) + r")[\"']")


def test_no_hook_is_looked_up_by_name() -> None:
    sources = list(KGOV.rglob("*.py"))
    assert len(sources) > 50  # the walk found the package
    found = [
        f"{p.relative_to(KGOV.parent).as_posix()}:{n}: {line.strip()}"
        for p in sources
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if LOOKUP.search(line)
    ]
    assert found == []


def test_the_guard_sees_a_lookup() -> None:
    assert LOOKUP.search('hook = getattr(kind, "unmanaged", None)')
    assert LOOKUP.search("narrowing = [k for k in kinds if getattr(k, 'narrow', None)]")
    assert LOOKUP.search('save = getattr(the_kind, "snapshot_state", None)')
    assert not LOOKUP.search('label = getattr(value, "label", None)')


@pytest.mark.parametrize("capability", CAPABILITIES, ids=lambda c: c.__name__)
def test_a_kind_that_declares_a_capability_without_its_hook_cannot_be_made(capability: type) -> None:
    assert capability.__abstractmethods__  # every capability names the hooks it promises
    half = type("HalfKind", (capability,), {})
    with pytest.raises(TypeError, match="abstract"):
        half()


def test_a_kind_declares_every_hook_it_defines() -> None:
    """A hook method without its capability is never called: say so rather than lose the feature."""
    for kind in KINDS:
        for capability in CAPABILITIES:
            defined = [n for n in capability.__abstractmethods__ if hasattr(type(kind), n)]
            assert not defined or isinstance(kind, capability), (type(kind).__name__, capability.__name__)


def test_who_declares_what() -> None:
    declared = {k.name: sorted(c.__name__ for c in CAPABILITIES if isinstance(k, c)) for k in KINDS}
    assert declared == {
        "broker": ["ChecksRights", "FindsViolations", "Locates", "Snapshotting", "WidensAuditRead"],
        "topic": sorted(
            c.__name__
            for c in (
                Narrows,
                NarrowsByFile,
                ChecksRights,
                FindsUnmanaged,
                LendsAuditFacts,
                FindsViolations,
                Snapshotting,
                Imports,
                ClassifiesChanges,
                Locates,
                ShowsEvidence,
            )
        ),
        "user": sorted(
            c.__name__
            for c in (
                ChecksRights,
                FindsUnmanaged,
                BelongsToPrincipal,
                Snapshotting,
                SavesSnapshotState,
                Locates,
                ShowsEvidence,
            )
        ),
        "acl": sorted(
            c.__name__
            for c in (
                Narrows,
                NarrowsByFile,
                ChecksRights,
                FindsUnmanaged,
                LendsAuditFacts,
                BelongsToPrincipal,
                Snapshotting,
                SavesSnapshotState,
                Imports,
                ClassifiesChanges,
                Locates,
                ShowsEvidence,
            )
        ),
        "quota": sorted(
            c.__name__
            for c in (
                LendsAuditTables,
                FindsUnmanaged,
                ChecksRights,
                ComparesJson,
                Locates,
                Snapshotting,
                SavesSnapshotState,
            )
        ),
        "replicas": sorted(
            c.__name__
            for c in (
                Narrows,
                NarrowsByFile,
                FindsViolations,
                TakesApplyOptions,
                ReviewedWithAnother,
                Snapshotting,
                SavesSnapshotState,
            )
        ),
        "subject": sorted(
            c.__name__
            for c in (
                Narrows,
                NarrowsByFile,
                ComparesJson,
                FindsUnmanaged,
                FindsViolations,
                Snapshotting,
                SavesSnapshotState,
                ClassifiesChanges,
                Locates,
                ShowsEvidence,
            )
        ),
    }
