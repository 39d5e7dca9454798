"""Which topics a custom ACL entry grants an operation on (used by consumed-not-produced and pii)."""

from __future__ import annotations

import pytest

from kgov.catalog.model import AclEntry, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.policy.references import granted_topics

TOPICS = sorted(["orders.created", "orders.state", "ordersx.created", "payments.done", "users.profile"])
SRC = Source("acls/x.yaml", YamlDoc({}, {}))


def entry(name: str, pattern: str = "literal", ops: tuple[str, ...] = ("write",), **kw: str) -> AclEntry:
    return AclEntry(SRC, ("acls", 0), name=name, pattern=pattern, operations=ops, **kw)


@pytest.mark.parametrize(
    ("acl", "operation", "expected"),
    [
        (entry("orders.", "prefixed"), "write", ["orders.created", "orders.state"]),
        (entry("orders", "prefixed"), "write", ["orders.created", "orders.state", "ordersx.created"]),
        (entry("orders.state"), "write", ["orders.state"]),
        (entry("orders.stat"), "write", []),
        (entry("*"), "write", TOPICS),
        (entry("*", ops=("all",)), "read", TOPICS),
        (entry("orders.", "prefixed"), "read", []),
        (entry("orders.", "prefixed", permission="deny"), "write", []),
        (entry("orders.", "prefixed", resource="group"), "write", []),
        (entry("zzz", "prefixed"), "write", []),
    ],
)
def test_granted_topics(acl: AclEntry, operation: str, expected: list[str]) -> None:
    assert granted_topics(acl, operation, TOPICS) == expected
