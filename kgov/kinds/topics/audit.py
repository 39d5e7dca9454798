"""Topics in `kgov audit`: the live topics the access matrix and usage are built from, and the live
policy violations of topics - what the cluster holds now that kgov.yaml's policy forbids.

Unmanaged topics are checked against the naming policy (the catalog's own are linted); every live
topic is checked for replication factor and min.insync.replicas; principals with a wildcard or
prefixed grant that reaches a `pii` topic are named (from the access matrix, so also with
`audit --catalog-only`). Unmanaged topics come from kgov/kinds/topics/unmanaged.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from kgov.catalog.model import Catalog, Overrides, Policy
from kgov.catalog.patterns import PatternError, compile_pattern
from kgov.kinds.access_matrix import WILDCARD, WILDCARD_PRINCIPAL, Matrix
from kgov.kinds.base import AuditView, DiffContext, Unmanaged, Violation
from kgov.kinds.topics.observe import ObservedTopics
from kgov.state import TopicSpec

KIND = "topic"
MIN_ISR = "min.insync.replicas"


def live_topics(
    desired: Mapping[str, TopicSpec], observed: ObservedTopics | None, unmanaged: Sequence[Unmanaged]
) -> dict[str, TopicSpec]:
    """The topics on the cluster the audit speaks of: the catalog's that exist, and the unmanaged
    ones. Nothing read (`audit --catalog-only`): the catalog's topics."""
    if observed is None:
        return dict(desired)
    live = {n: t for n, t in observed.topics.items() if n in desired}
    for u in unmanaged:
        d = u.detail
        live[u.name] = TopicSpec(u.name, d["partitions"], d["replication_factor"], d["config"])
    return live


def topic_violations(
    observed: ObservedTopics | None, unmanaged: Sequence[Unmanaged], ctx: DiffContext, view: AuditView
) -> list[Violation]:
    """Naming, then durability, then broad access to pii topics (the order of the audit's list)."""
    live = view.facts.topics.values() if observed is not None else ()
    return (
        naming([u.name for u in unmanaged if u.kind == KIND], ctx.settings.policy)
        + durability(sorted(live, key=lambda t: t.name), ctx.settings.policy, ctx.environment.overrides)
        + broad_pii_access(view.matrix, classes(view.catalog))
    )


def classes(catalog: Catalog) -> dict[str, str | None]:
    return {t.name: t.classification for t in catalog.topics()}


def naming(unmanaged: Iterable[str], policy: Policy) -> list[Violation]:
    try:
        pattern = compile_pattern(policy.topic_name)
    except PatternError:
        return []  # lint reports the refused pattern
    return [
        Violation("naming", KIND, n, f"unmanaged topic does not match policy.topic_name {policy.topic_name}")
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
                    KIND,
                    t.name,
                    f"replication factor {t.replication_factor} < {rf_min}",
                )
            )
        raw = t.config.get(MIN_ISR)
        if isr_min is None:
            continue
        if raw is None:
            out.append(
                Violation("min-insync-replicas", KIND, t.name, f"{MIN_ISR} not set (policy: ≥ {isr_min})")
            )
        elif not raw.isdigit() or int(raw) < isr_min:
            out.append(Violation("min-insync-replicas", KIND, t.name, f"{MIN_ISR} {raw[:20]} < {isr_min}"))
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
                    KIND,
                    cell.topic,
                    f"{cell.principal} reaches pii topic {cell.topic} through: {'; '.join(broad)}",
                )
            )
    return out
