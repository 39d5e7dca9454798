"""The part of the Kafka port that reads and writes access: ACL bindings and SCRAM credentials.

kgov/cluster/kafka/adapter/access.py implements it against a real broker, kgov/cluster/memory/ in
memory.
Every method is one batch: one DescribeAcls for all bindings, one describe for all SCRAM users.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kgov.bindings import Binding

# Per-resource outcome of a batched write: None on success, else Kafka's error text.
AccessOutcome = Mapping[str, str | None]


@dataclass(frozen=True, order=True)
class ScramCredential:
    """What Kafka tells of a SCRAM credential: never the password, hash or salt."""

    user: str
    mechanism: str  # "SCRAM-SHA-256" | "SCRAM-SHA-512"
    iterations: int


@dataclass(frozen=True)
class ScramUpsert:
    user: str
    mechanism: str
    iterations: int
    password: str = field(repr=False)  # secret: to the broker and nowhere else

    def __repr__(self) -> str:
        return f"ScramUpsert(user={self.user!r}, mechanism={self.mechanism!r}, iterations={self.iterations})"


@dataclass(frozen=True)
class ScramDelete:
    user: str
    mechanism: str


OK, FAILED, UNVERIFIABLE = "ok", "failed", "unverifiable"


@dataclass(frozen=True)
class LoginAttempt:
    user: str
    mechanism: str
    password: str = field(repr=False)  # secret


@dataclass(frozen=True)
class LoginResult:
    user: str
    verdict: str  # ok | failed | unverifiable
    reason: str = ""


VISIBLE, ABSENT, HIDDEN = "visible", "absent", "hidden"


@dataclass(frozen=True)
class TopicAccess:
    """What kgov's own principal can know of a topic: hidden means no DESCRIBE, so maybe present."""

    name: str
    state: str  # visible | absent | hidden
    operations: frozenset[str] = frozenset()  # kgov's authorized operations, when visible


class ClusterRights(Protocol):
    """kgov's own principal and its rights on the cluster resource: the Kafka port, and the ports
    that ask it (the quota port), so kgov/kinds/rights.py checks them all alike."""

    @property
    def principal(self) -> str:
        """Who kgov is on the cluster, for messages (`User:kgov`); a name, never a secret."""
        ...

    def cluster_operations(self) -> frozenset[str]:
        """kgov's own authorized operations on the cluster resource (DESCRIBE, ALTER, ...)."""
        ...


class AccessPort(ClusterRights, Protocol):
    def describe_acls(self) -> Sequence[Binding]:
        """Every binding on the cluster, in one DescribeAcls request."""
        ...

    def describe_acls_of(self, principals: Sequence[str]) -> Sequence[Binding]:
        """The bindings of these principals only: one DescribeAcls each (filtered by principal),
        sent together; none for no principal. kgov's DESCRIBE right on the cluster is checked as
        for `describe_acls`, so a scoped plan refuses what a full one refuses."""
        ...

    def create_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        """Outcome keyed by binding address; batched."""
        ...

    def delete_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        """Deletes exactly these bindings (filters with every field set); keyed by address."""
        ...

    def describe_scram(self) -> Mapping[str, Sequence[ScramCredential]]:
        """Every SCRAM user and its credentials, in one request."""
        ...

    def alter_scram(self, upserts: Sequence[ScramUpsert], deletes: Sequence[ScramDelete]) -> AccessOutcome:
        """Outcome keyed by user; one request per batch."""
        ...

    def verify_logins(self, attempts: Sequence[LoginAttempt]) -> Mapping[str, LoginResult]:
        """A SASL login as each user with the given password, concurrently and bounded in time."""
        ...

    def topic_access(self, names: Sequence[str]) -> Mapping[str, TopicAccess]:
        """Whether kgov can see each named topic, and what it may do on it; batched."""
        ...
