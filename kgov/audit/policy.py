"""Live policy violations: what the cluster holds now that kgov.yaml's policy forbids.

Unmanaged topics are checked against the naming policy (the catalog's own are linted); every
topic seen is checked for replication factor and min.insync.replicas; principals with a wildcard
or prefixed grant that reaches a `pii` topic are named."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kgov.audit.matrix import WILDCARD, WILDCARD_PRINCIPAL
from kgov.audit.model import Matrix
from kgov.catalog.model import Overrides, Policy
from kgov.catalog.patterns import PatternError, compile_pattern
from kgov.kinds.base import Violation
from kgov.state import TopicSpec

MIN_ISR = "min.insync.replicas"


def naming(unmanaged: Iterable[str], policy: Policy) -> list[Violation]:
    try:
        pattern = compile_pattern(policy.topic_name)
    except PatternError:
        return []  # lint reports the refused pattern
    return [
        Violation(
            "naming", "topic", n, f"unmanaged topic does not match policy.topic_name {policy.topic_name}"
        )
        for n in unmanaged
        if pattern.fullmatch(n) is None
    ]


def floors(policy: Policy, overrides: Overrides) -> tuple[int | None, int | None]:
    """The environment's floors: its overrides (a one-broker sandbox) else the policy's minimums."""
    isr = overrides.config.get(MIN_ISR)
    return (
        overrides.replication_factor or policy.replication_factor.min,
        int(str(isr)) if isr is not None and str(isr).isdigit() else policy.min_insync_replicas.min,
    )


def durability(topics: Iterable[TopicSpec], policy: Policy, overrides: Overrides) -> list[Violation]:
    out: list[Violation] = []
    rf_min, isr_min = floors(policy, overrides)
    for t in topics:
        if rf_min is not None and t.replication_factor < rf_min:
            out.append(
                Violation(
                    "replication-factor",
                    "topic",
                    t.name,
                    f"replication factor {t.replication_factor} < {rf_min}",
                )
            )
        raw = t.config.get(MIN_ISR)
        if isr_min is None:
            continue
        if raw is None:
            out.append(
                Violation("min-insync-replicas", "topic", t.name, f"{MIN_ISR} not set (policy: ≥ {isr_min})")
            )
        elif not raw.isdigit() or int(raw) < isr_min:
            out.append(Violation("min-insync-replicas", "topic", t.name, f"{MIN_ISR} {raw[:20]} < {isr_min}"))
    return out


def broad_pii_access(matrix: Matrix, classification: Mapping[str, str | None]) -> list[Violation]:
    out: list[Violation] = []
    for cell in matrix.cells:
        if classification.get(cell.topic) != "pii":
            continue
        broad = sorted(
            {
                label
                for _, labels in cell.grants
                for label in labels
                if cell.principal in (WILDCARD_PRINCIPAL, "User:ANONYMOUS")  # anyone, as for lint
                or "(prefixed)" in label
                or f" topic {WILDCARD}" in label
            }
        )
        if broad:
            out.append(
                Violation(
                    "pii-broad-access",
                    "topic",
                    cell.topic,
                    f"{cell.principal} reaches pii topic {cell.topic} through: {'; '.join(broad)}",
                )
            )
    return out
