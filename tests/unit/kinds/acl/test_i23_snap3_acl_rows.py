"""The ACL kind on bindings as field tuples (issue 23: a plan from a snapshot of 100,000 bindings makes
no Binding for an unchanged one) plans what it planned on Binding objects: the same entries, warnings
and state for random snapshots and catalogs, and the same refusal of a malformed snapshot."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, cast

import pytest

from kgov.bindings import BY_FIELDS, Binding
from kgov.engine.snapshot import observers
from kgov.errors import PlanError
from kgov.kinds.acl import AclKind, DesiredAcls, _entry
from kgov.kinds.acl.diff import diff_acls
from kgov.kinds.acl.observe import AclScope, ObservedAcls
from kgov.kinds.acl.snapshot import from_snapshot, rows_from_json
from kgov.kinds.base import DiffContext
from kgov.plan.model import Entry
from kgov.plan.snapshotfile import Snapshot

FIELDS = ("principal", "resource_type", "pattern", "name", "operation", "permission", "host")
PRINCIPALS = ("User:a", "User:a.b", "User:ab", "User:c", "User:d")
NAMES = ("t", "t.a", "t.a.b", "ta", "t-", "t\0", "", "*", "é", "orders.created")
TOPICS = ("t", "t.a", "ta", "orders.created", "é")


# -- the code before (8a90fed): Bindings made from the snapshot, sets of Bindings diffed ----------
def old_state_from_json(doc: Mapping[str, Any]) -> frozenset[Binding]:
    return frozenset(Binding.from_json({str(k): str(v) for k, v in b.items()}) for b in doc["bindings"])


def old_diff(desired: Mapping[str, Binding], observed: frozenset[Binding], scope: AclScope) -> Any:
    want: dict[str, set[Binding]] = {p: set() for p in scope.principals}
    for b in desired.values():
        want.setdefault(b.principal, set()).add(b)
    grants = {p: frozenset(bs) for p, bs in want.items()}
    have = set(observed)
    everything = set().union(*grants.values()) if grants else set()
    creates = tuple(sorted(everything - have, key=BY_FIELDS))
    revokes = tuple(sorted((b for b in have - everything if b.principal in grants), key=BY_FIELDS))
    others = [b for b in have if b.principal not in grants]
    return creates, revokes, others


def random_binding(rng: random.Random) -> Binding:
    return Binding(
        rng.choice(PRINCIPALS),
        rng.choice(("topic", "group", "cluster")),
        rng.choice(("literal", "prefixed")),
        rng.choice(NAMES),
        rng.choice(("READ", "WRITE", "DESCRIBE")),
        rng.choice(("allow", "deny")),
        rng.choice(("*", "10.0.0.1")),
    )


def saved(b: Binding, rng: random.Random, odd: bool) -> dict[str, Any]:
    doc: dict[str, Any] = dict(b.to_json())
    if odd and rng.random() < 0.2:  # edited by hand: a field that is not a string, an extra key
        doc[rng.choice(FIELDS)] = rng.choice((1, 2.5, True, None, [1], {"x": 1}, 10**30))
    if odd and rng.random() < 0.1:
        doc["extra"] = rng.choice(("x", 3, None))
    return doc


def desired_acls(bindings: list[Binding], principals: tuple[str, ...]) -> DesiredAcls:
    out = DesiredAcls({b.address: b for b in bindings})
    out.principals = frozenset(principals) | {b.principal for b in bindings}
    return out


def shown(entries: list[Entry]) -> list[tuple[Any, ...]]:
    return [(e.address, e.action, e.before, e.after, e.group, e.label) for e in entries]


@pytest.mark.parametrize("seed", range(400))
def test_rows_plan_what_bindings_planned(seed: int) -> None:
    rng = random.Random(seed)
    odd = seed % 4 == 0
    on_cluster = [random_binding(rng) for _ in range(rng.randrange(0, 60))]
    state = {"bindings": [saved(b, rng, odd) for b in on_cluster]}
    wanted = [random_binding(rng) for _ in range(rng.randrange(0, 40))]
    wanted += rng.sample(on_cluster, len(on_cluster) // 2)  # most of a real plan is unchanged
    principals = tuple(rng.sample(PRINCIPALS, rng.randrange(0, 4)))
    scope = AclScope(principals, TOPICS)
    desired = desired_acls(wanted, principals)

    old_bindings = old_state_from_json(state)
    observed = from_snapshot({}, state, scope.to_json())
    assert observed.bindings == old_bindings
    assert observed.rows == frozenset(map(BY_FIELDS, old_bindings))
    assert observed.to_json() == ObservedAcls.of(scope, old_bindings).to_json()

    kind = AclKind()
    entries, warnings = kind.diff(desired, observed, cast(DiffContext, None))
    creates, revokes, others = old_diff(desired, old_bindings, scope)
    assert shown(entries) == shown(
        [_entry(b, "create") for b in creates] + [_entry(b, "delete") for b in revokes]
    )
    old_grants = {p: frozenset() for p in scope.principals} | {
        p: frozenset(b for b in desired.values() if b.principal == p) for p in {b.principal for b in wanted}
    }
    assert warnings == list(diff_acls(old_grants, old_bindings, frozenset(TOPICS)).warnings)
    assert len(others) == diff_acls(old_grants, old_bindings, frozenset(TOPICS)).unmanaged


@pytest.mark.parametrize(
    "bindings",
    [
        [{"principal": "User:a"}],  # a field missing
        ["User:a"],
        [["User:a", "topic", "literal", "t", "READ", "allow", "*"]],
        [None],
        [7],
        {"User:a": 1},
        "abc",
        7,
        None,
    ],
)
def test_a_malformed_snapshot_is_refused_as_before(bindings: Any) -> None:
    state = {"bindings": bindings}
    with pytest.raises((KeyError, TypeError, ValueError, AttributeError)):
        old_state_from_json(state)
    with pytest.raises((KeyError, TypeError, ValueError, AttributeError)):
        rows_from_json(state)
    kind = AclKind()
    with pytest.raises(PlanError, match="malformed"):
        observers(Snapshot("e", "t", {"acl": {"scope": {}, "state": state}}), [kind])["acl"](
            AclScope((), ()).to_json()
        )


def test_a_field_that_is_no_string_is_made_one_as_before() -> None:
    doc = dict(Binding("User:a", "topic", "literal", "t", "READ").to_json())
    doc["name"] = 12
    rows = rows_from_json({"bindings": [doc]})
    assert rows == {("User:a", "topic", "literal", "12", "READ", "allow", "*")}
