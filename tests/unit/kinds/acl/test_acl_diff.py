"""The ACL diff: create missing, revoke what the catalog no longer grants, never touch the others."""

from __future__ import annotations

from kgov.bindings import Binding
from kgov.kinds.acl.diff import diff_acls, touched_topics

W = Binding("User:orders", "topic", "literal", "orders.created", "WRITE")
D = Binding("User:orders", "topic", "literal", "orders.created", "DESCRIBE")
OLD = Binding("User:orders", "topic", "literal", "orders.old", "WRITE")
OTHER = Binding("User:legacy", "topic", "literal", "orders.created", "READ")
OTHER_PREFIX = Binding("User:legacy", "topic", "prefixed", "orders.", "READ")
ELSEWHERE = Binding("User:bi", "topic", "literal", "bi.reports", "READ")
TOPICS = frozenset({"orders.created", "orders.state"})


def test_creates_and_revokes_only_managed() -> None:
    d = diff_acls({"User:orders": frozenset({W, D})}, [W, OLD, OTHER, ELSEWHERE], TOPICS)
    assert d.creates == (D,)
    assert d.revokes == (OLD,)
    assert d.unmanaged == 2


def test_converged_is_empty() -> None:
    d = diff_acls({"User:orders": frozenset({W, D})}, [W, D], TOPICS)
    assert (d.creates, d.revokes, d.unmanaged, d.warnings) == ((), (), 0, ())


def test_warnings_count_and_name_unmanaged_principals_on_catalog_topics() -> None:
    d = diff_acls({"User:orders": frozenset({W})}, [W, OTHER, OTHER_PREFIX, ELSEWHERE], TOPICS)
    assert d.warnings == (
        "3 ACL binding(s) of 2 principal(s) not declared in the catalog are left alone "
        "(kgov never changes them)",
        "unmanaged principal User:legacy has ACLs on catalog topics: orders.created, orders.state",
    )


def test_a_principal_with_no_grants_left_is_still_managed_and_revoked() -> None:
    d = diff_acls({"User:orders": frozenset()}, [W], TOPICS)
    assert d.revokes == (W,)


def test_touched_topics() -> None:
    star = Binding("User:x", "topic", "literal", "*", "READ")
    group = Binding("User:x", "group", "literal", "orders.created", "READ")
    assert touched_topics(star, TOPICS) == set(TOPICS)
    assert touched_topics(group, TOPICS) == set()
    assert touched_topics(OTHER_PREFIX, TOPICS) == set(TOPICS)
