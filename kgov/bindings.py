"""One ACL binding as Kafka stores it, and the vocabulary of resource types and operations.

Names are the catalog's words for resource types and patterns (`topic`, `transactional_id`,
`prefixed`), Kafka's upper-case names for operations (`WRITE`), and `allow` / `deny`.

A value type of the bottom layer (it imports nothing of kgov): the cluster ports, the ACL kind, access
derivation, lint and the audit all speak it, and none of them may import another for it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from operator import attrgetter

RESOURCE_TYPES = ("topic", "group", "cluster", "transactional_id")
PATTERNS = ("literal", "prefixed")
PERMISSIONS = ("allow", "deny")
CLUSTER_NAME = "kafka-cluster"  # the only name Kafka accepts for the cluster resource
ANY_HOST = "*"


def is_ip(text: str) -> bool:
    """A host Kafka accepts in an ACL binding, besides ANY_HOST: an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True

# Operations that mean something on each resource type (Kafka's authorizer documentation).
VALID_OPERATIONS: dict[str, frozenset[str]] = {
    "topic": frozenset(
        {"ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"}
    ),
    "group": frozenset({"ALL", "READ", "DESCRIBE", "DELETE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"}),
    "cluster": frozenset(
        {
            "ALL",
            "CREATE",
            "ALTER",
            "DESCRIBE",
            "CLUSTER_ACTION",
            "DESCRIBE_CONFIGS",
            "ALTER_CONFIGS",
            "IDEMPOTENT_WRITE",
        }
    ),
    "transactional_id": frozenset({"ALL", "WRITE", "DESCRIBE"}),
}


@dataclass(frozen=True, order=True)
class Binding:
    """principal may (allow) or may not (deny) do operation on a resource, from host."""

    principal: str
    resource_type: str
    pattern: str
    name: str
    operation: str
    permission: str = "allow"
    host: str = ANY_HOST

    @property
    def address(self) -> str:
        fields = (
            self.principal,
            self.resource_type,
            self.pattern,
            self.name,
            self.operation,
            self.permission,
            self.host,
        )
        return "acl." + ".".join(fields)

    @property
    def label(self) -> str:
        """The reviewer's line: `allow User:orders WRITE topic orders.created`."""
        name = f"{self.name}* (prefixed)" if self.pattern == "prefixed" else self.name
        where = "" if self.host == ANY_HOST else f" from {self.host}"
        return f"{self.permission} {self.principal} {self.operation} {self.resource_type} {name}{where}"

    def to_json(self) -> dict[str, str]:
        return {
            "principal": self.principal,
            "resource_type": self.resource_type,
            "pattern": self.pattern,
            "name": self.name,
            "operation": self.operation,
            "permission": self.permission,
            "host": self.host,
        }

    @classmethod
    def from_json(cls, doc: dict[str, str]) -> Binding:
        return cls(
            doc["principal"],
            doc["resource_type"],
            doc["pattern"],
            doc["name"],
            doc["operation"],
            doc["permission"],
            doc["host"],
        )


def scram_user(principal: str) -> str:
    """The SCRAM user name of a `User:` principal (what a client logs in as)."""
    return principal.split(":", 1)[1] if principal.startswith("User:") else principal


# The order of `sorted(bindings)` (a dataclass compares its fields in order), as a key: a tuple
# compared in C, where 10,000s of bindings would otherwise make 100,000s of Python __lt__ calls.
BY_FIELDS = attrgetter("principal", "resource_type", "pattern", "name", "operation", "permission", "host")
